import axe from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * Runs axe-core on the page as it is now and returns its violations of impact "serious" or
 * "critical", one line each (rule, help, where): an empty list is a pass. axe is evaluated into
 * the page through the DevTools protocol, which the app's Content-Security-Policy does not block.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
    const result = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      where: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.where.join(' | ')}`);
}
