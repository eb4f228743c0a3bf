import { useEffect } from 'preact/hooks';
import { documentTitle } from './routes';

/** Sets «<page> — РАЦ Старый Оскол» as the tab's title while the page is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
}
