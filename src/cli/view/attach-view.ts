import type { EngineEmitter } from '../../engine/events.js';
import { attachLiveView } from './live-view.js';
import { attachPlainView } from './plain-view.js';
import type { View } from './format-summary.js';

export type { View } from './format-summary.js';

export function attachView(emitter: EngineEmitter, options: { tty: boolean; concurrency: number }): View {
  return options.tty ? attachLiveView(emitter, { concurrency: options.concurrency }) : attachPlainView(emitter);
}

