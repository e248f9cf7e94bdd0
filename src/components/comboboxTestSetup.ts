/**
 * jsdom lacks layout, canvas and observers, which Combobox's virtual list and input sizing rely on.
 * Call from tests that open a Combobox or MultiCombobox; the sizes are arbitrary but must be non-zero.
 */
export function setupComboboxEnvironment() {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 300 });
  Object.defineProperty(Element.prototype, 'getBoundingClientRect', {
    configurable: true,
    value: () => ({ width: 120, height: 120, top: 0, left: 0, bottom: 0, right: 0, x: 0, y: 0, toJSON: () => ({}) }),
  });
  HTMLCanvasElement.prototype.getContext = (() => ({
    measureText: (text: string) => ({ width: text.length * 7 }),
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
  const g = globalThis as unknown as Record<string, unknown>;
  class NoopObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  g.IntersectionObserver = g.IntersectionObserver ?? NoopObserver;
  g.ResizeObserver = g.ResizeObserver ?? NoopObserver;
}
