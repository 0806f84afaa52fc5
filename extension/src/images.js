// Image bytes for the daemon, got by the background context only:
// - from a URL, with the extension's host permissions (so cross-origin images work), from
//   the browser's cache when it has them;
// - from the screen, for canvas/SVG/anything without a readable URL: a capture of the visible
//   tab cropped at the element's rectangle. The capture is scaled by its real size over the
//   viewport's CSS size, which covers devicePixelRatio and page zoom alike.

import { api } from "./settings.js";

export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;
// Chromium allows two captureVisibleTab calls a second; requests that arrive together share one.
const CAPTURE_INTERVAL_MS = 550;

export class ImageError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export async function bytesFromUrl(url) {
  if (!/^(https?|data|file):/i.test(url)) {
    throw new ImageError("unsupported_source", "This image's address cannot be fetched.");
  }
  let response;
  try {
    response = await fetch(url, { credentials: "include", cache: "force-cache" });
  } catch {
    throw new ImageError("fetch_failed", "The image could not be downloaded.");
  }
  if (!response.ok) {
    throw new ImageError("fetch_failed", `The image could not be downloaded (HTTP ${response.status}).`);
  }
  const length = Number(response.headers.get("content-length"));
  if (length > MAX_IMAGE_BYTES) throw new ImageError("too_large", "The image is too large to read.");
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength > MAX_IMAGE_BYTES) throw new ImageError("too_large", "The image is too large to read.");
  if (buffer.byteLength === 0) throw new ImageError("fetch_failed", "The image is empty.");
  return new Uint8Array(buffer);
}

const captureQueue = []; // {tab, rect, viewport, resolve, reject}
let captureRunning = false;
let lastCaptureAt = 0;

/**
 * PNG bytes of `rect` (CSS px, relative to the viewport of size `viewport`) in `tab`, which
 * must be the active tab of its window.
 */
export function captureCrop(tab, rect, viewport) {
  return new Promise((resolve, reject) => {
    captureQueue.push({ tab, rect, viewport, resolve, reject });
    if (!captureRunning) runCaptures();
  });
}

async function runCaptures() {
  captureRunning = true;
  try {
    while (captureQueue.length > 0) {
      const wait = lastCaptureAt + CAPTURE_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const first = captureQueue[0];
      const batch = captureQueue.filter((c) => c.tab.id === first.tab.id);
      for (const c of batch) captureQueue.splice(captureQueue.indexOf(c), 1);
      lastCaptureAt = Date.now();
      let bitmap;
      try {
        const dataUrl = await api.tabs.captureVisibleTab(first.tab.windowId, { format: "png" });
        bitmap = await createImageBitmap(await (await fetch(dataUrl)).blob());
      } catch {
        const err = new ImageError("capture_failed", "The screen could not be captured.");
        for (const c of batch) c.reject(err);
        continue;
      }
      for (const c of batch) {
        try {
          c.resolve(await crop(bitmap, c.rect, c.viewport));
        } catch (err) {
          c.reject(err);
        }
      }
      bitmap.close?.();
    }
  } finally {
    captureRunning = false;
  }
}

async function crop(bitmap, rect, viewport) {
  const sx = bitmap.width / viewport.width;
  const sy = bitmap.height / viewport.height;
  const left = Math.max(0, Math.floor(rect.x * sx));
  const top = Math.max(0, Math.floor(rect.y * sy));
  const right = Math.min(bitmap.width, Math.ceil((rect.x + rect.width) * sx));
  const bottom = Math.min(bitmap.height, Math.ceil((rect.y + rect.height) * sy));
  if (right - left < 4 || bottom - top < 4) {
    throw new ImageError("not_visible", "The image is not on the screen.");
  }
  const canvas = new OffscreenCanvas(right - left, bottom - top);
  canvas.getContext("2d").drawImage(bitmap, left, top, right - left, bottom - top, 0, 0, right - left, bottom - top);
  const blob = await canvas.convertToBlob({ type: "image/png" });
  return new Uint8Array(await blob.arrayBuffer());
}
