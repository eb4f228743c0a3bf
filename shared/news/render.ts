import MarkdownIt from 'markdown-it';
import { escapeHtml } from '#shared/format';

/**
 * A news item's text as HTML, rendered once when it is published and stored beside the source: the
 * site shows it and the mail carries it, and neither needs a Markdown parser of its own.
 *
 * Safety does not rest on a sanitiser run over HTML after the fact: markdown-it with `html: false`
 * never passes raw HTML through (a `<script>` or `<img onerror>` in the source comes out as text),
 * and every link and autolink goes through `validateLink`, here an allow-list of schemes
 * (http, https, mailto, tel) and site paths instead of markdown-it's default deny-list. Images
 * are off: a mail that loads remote pictures tells their host who opened it, and the site's CSP
 * (`img-src 'self' data:`) would block them anyway. The site's CSP (`script-src 'self'`, no
 * inline scripts or handlers) is the second wall should anything slip through.
 */

export type NewsFormat = 'markdown' | 'text';

const ALLOWED_LINK = /^(https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i;

const markdown = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
markdown.disable(['image']);
markdown.validateLink = (url: string) => ALLOWED_LINK.test(url.trim());

// The item's title is the page's heading: the text's own headings sit below it (h3–h6).
markdown.core.ruler.push('news_heading_levels', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      const level = Number(token.tag.slice(1));
      token.tag = `h${Math.min(6, level + 2)}`;
    }
  }
});

// External links open no window.opener and pass no ranking: the centre vouches for none of them.
const defaultLinkOpen =
  markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token && /^https?:/i.test(String(token.attrGet('href') ?? '')))
    token.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Plain text: paragraphs at blank lines, line breaks kept, everything escaped. */
function plainTextHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replaceAll('\n', '<br>')}</p>`)
    .join('\n');
}

export function renderNewsHtml(text: string, format: NewsFormat): string {
  const source = text.replaceAll('\r\n', '\n');
  return (format === 'markdown' ? markdown.render(source) : plainTextHtml(source)).trim();
}

/** The format of a news file by its name: `.md` and `.markdown` are Markdown, anything else plain text. */
export function formatOfFile(file: string): NewsFormat {
  return /\.(md|markdown)$/i.test(file) ? 'markdown' : 'text';
}
