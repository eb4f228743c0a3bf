import { groupEntry } from '#shared/http/entry';
import { setWindow } from '#shared/window/windowStore';

export const handler = groupEntry({
  jobs: {
    'window.open': () => setWindow(true, 'schedule'),
    'window.close': () => setWindow(false, 'schedule'),
  },
});
