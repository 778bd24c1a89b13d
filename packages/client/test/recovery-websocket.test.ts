import { describe, it } from 'vitest';
import { restartScenario } from './helpers/recovery-scenarios.js';

describe('recovery over the WebSocket', () => {
  it('after a server restart: missed messages once and in order; offline sends go out once', async () => {
    await restartScenario('websocket');
  });
});
