import type { ComponentChildren } from 'preact';

interface ScrollRegionProps {
  class: string;
  /** The region's name, read out when it takes focus: a label, or the id of a visible caption. */
  label?: string;
  labelledBy?: string;
  children: ComponentChildren;
}

/**
 * A box that may scroll (a wide table on a phone, the consent text): a named region that takes
 * focus, so it can be scrolled with the keyboard alone (WCAG 2.1.1; axe scrollable-region-focusable).
 */
export function ScrollRegion({ class: className, label, labelledBy, children }: ScrollRegionProps) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be focusable to be scrolled by keyboard (WCAG 2.1.1).
    <section class={className} aria-label={label} aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </section>
  );
}
