// Where an element is on the screen: what a capture of it asks for, whether it is too small to
// hold text, and whether it is wholly in view (a capture reads only what is shown). A classic
// script: it defines globalThis.A11yHelperScreen.
"use strict";

(() => {
  const MIN_SIZE = 32; // images smaller than this both ways are icons or spacers
  const MIN_THIN = 8; // thinner than this is a rule or a tracking pixel

  function viewportRect(rect) {
    const x = Math.max(0, rect.left);
    const y = Math.max(0, rect.top);
    const right = Math.min(window.innerWidth, rect.right);
    const bottom = Math.min(window.innerHeight, rect.bottom);
    return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
  }

  function captureSource(el) {
    const rect = viewportRect(el.getBoundingClientRect());
    return { kind: "capture", rect, viewport: { width: window.innerWidth, height: window.innerHeight } };
  }

  /** The capture source for `el` once the page as it is now has been painted (two animation
   * frames, or 250 ms in a tab that paints none), so that the capture is not of an older frame;
   * null if `el` is no longer wholly in view by then. */
  async function captureWhenPainted(el) {
    await Promise.race([
      new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
      new Promise((done) => setTimeout(done, 250)),
    ]);
    return whollyOnScreen(el.getBoundingClientRect()) ? captureSource(el) : null;
  }

  /** Has `el` left the viewport rectangle a capture was asked for (a layout shift, a scroll)?
   * Then that capture may hold other pixels, and what it reads must not become el's name. */
  function movedSince(el, source) {
    const now = viewportRect(el.getBoundingClientRect());
    return ["x", "y", "width", "height"].some((k) => Math.abs(now[k] - source.rect[k]) > 2);
  }

  function tiny(rect) {
    return (rect.width < MIN_SIZE && rect.height < MIN_SIZE) || Math.min(rect.width, rect.height) < MIN_THIN;
  }

  function onScreen(r) {
    return r.isIntersecting && (r.intersectionRatio >= 0.98 ||
      r.intersectionRect.height >= 0.9 * window.innerHeight || r.intersectionRect.width >= 0.9 * window.innerWidth);
  }

  function whollyOnScreen(rect) {
    const w = Math.min(window.innerWidth, rect.right) - Math.max(0, rect.left);
    const h = Math.min(window.innerHeight, rect.bottom) - Math.max(0, rect.top);
    if (w <= 0 || h <= 0) return false;
    return (w * h) / Math.max(1, rect.width * rect.height) >= 0.98 || h >= 0.9 * window.innerHeight ||
      w >= 0.9 * window.innerWidth;
  }

  globalThis.A11yHelperScreen = Object.freeze({ captureSource, captureWhenPainted, movedSince, tiny, onScreen, whollyOnScreen });
})();
