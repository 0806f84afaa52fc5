// The pixels a canvas holds, read from the canvas itself rather than from the screen: exact,
// at the canvas's own resolution, wherever the page is scrolled, and never a capture of a
// frame the screen had not yet drawn (under load, a capture can show the page as it was
// before a scroll). A classic script: it defines globalThis.A11yHelperPixels.
"use strict";

(() => {
  // Bigger canvases (beyond a 4K screen) are read from the screen: copying and encoding them
  // here would hold up the page for too long.
  const MAX_PIXELS = 9_000_000;

  /** A data-URL source with the canvas's pixels, or null where only the screen can show them:
   * a canvas that holds another origin's image (the browser refuses to let its pixels be read),
   * one with nothing drawn on it (a WebGL canvas between two of its frames reads as blank), or
   * one too big. */
  function canvasSource(canvas) {
    const { width, height } = canvas;
    if (!width || !height || width * height > MAX_PIXELS) return null;
    const copy = document.createElement("canvas");
    copy.width = width;
    copy.height = height;
    const context = copy.getContext("2d", { willReadFrequently: true });
    try {
      context.drawImage(canvas, 0, 0);
      if (!anythingDrawn(context, width, height)) return null;
      return { kind: "url", url: copy.toDataURL("image/png") };
    } catch {
      return null; // tainted by another origin's image
    }
  }

  /** Any pixel not fully transparent? Read in bands of about a megabyte, so that a drawn
   * canvas (almost always answered by its first band) is not copied whole once more. */
  function anythingDrawn(context, width, height) {
    const rows = Math.max(1, Math.floor(262_144 / width));
    for (let y = 0; y < height; y += rows) {
      const rgba = context.getImageData(0, y, width, Math.min(rows, height - y)).data;
      for (let i = 3; i < rgba.length; i += 4) {
        if (rgba[i] !== 0) return true;
      }
    }
    return false;
  }

  globalThis.A11yHelperPixels = Object.freeze({ canvasSource });
})();
