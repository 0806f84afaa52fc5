// Binary image frame of protocol v1:
// | 4 bytes header length N (big-endian) | N bytes UTF-8 JSON header | image bytes |

export function encodeOcrFrame(header, bytes) {
  const head = new TextEncoder().encode(JSON.stringify({ type: "ocr", ...header }));
  const out = new Uint8Array(4 + head.length + bytes.length);
  new DataView(out.buffer).setUint32(0, head.length, false);
  out.set(head, 4);
  out.set(bytes, 4 + head.length);
  return out;
}
