import type { ComponentChildren } from 'preact';
import { useDocumentTitle } from '../hooks';

interface PageFrameProps {
  /** Document title: «<title> — РАЦ Старый Оскол». */
  title: string;
  /** Visible heading, when it differs from the title. */
  heading?: string;
  children?: ComponentChildren;
}

/**
 * The frame of every page: its one h1 (focusable, so the layout can move focus to it after a
 * navigation and a screen reader announces the new page) and the document title.
 */
export function PageFrame({ title, heading, children }: PageFrameProps) {
  useDocumentTitle(title);
  return (
    <div class="page">
      <h1 class="page__title" tabIndex={-1}>
        {heading ?? title}
      </h1>
      {children}
    </div>
  );
}
