// Is this text alternative useful? Rules shared by the content script and its unit tests
// (tests/e2e/test_altrules.py). A classic script: it defines globalThis.A11yHelperRules.
"use strict";

(() => {
  const IMAGE_EXT = /\.(png|jpe?g|jfif|gif|webp|avif|bmp|tiff?|svg|ico|heic|heif)$/i;
  const URLISH = /^(https?:|data:|blob:|file:|ftp:|\/\/|www\.)/i;
  // Words that say "an image" and nothing about it, alone or with a number.
  const GENERIC = new Set([
    "image", "images", "img", "imag", "photo", "photos", "photograph", "picture", "pictures", "pic",
    "pics", "graphic", "graphics", "icon", "icons", "logo", "banner", "thumbnail", "thumb",
    "screenshot", "screen shot", "untitled", "placeholder", "spacer", "blank", "null",
    "undefined", "none", "alt", "alt text", "alttext", "image alt", "alt image", "todo",
    "tbd", "default", "figure", "fig", "illustration", "drawing", "art", "artwork", "media",
    "file", "attachment", "upload", "uploaded image", "image description", "description",
    "insert alt text here", "no alt", "no description", "image not found", "missing image",
    "click here", "here", "link", "button", "hero", "hero image", "featured image", "cover",
    "cover image", "background", "bg", "avatar", "profile picture", "photo of", "image of",
    "picture of", "graphic of", "screenshot of",
  ]);
  // Camera, phone and messenger file names: IMG_1234, DSC01234, PXL_20230101_..., WA0001.
  const CAMERA = /^(img|image|dsc|dscn|dscf|dcim|pxl|mvimg|photo|pic|screenshot|screen ?shot|scan|wp|whatsapp image|snapshot|capture|untitled|sam|gopr|p)[\s_-]*\d[\w\s.:_-]*$/i;
  const HEXISH = /^[0-9a-f_-]{8,}$/i; // hashes, uuids
  const DIGITS = /^[\d\s_.:-]+$/;
  const NO_LETTERS = /^[^\p{L}\p{N}]*$/u;

  function normalise(text) {
    return String(text ?? "").replace(/\s+/g, " ").trim();
  }

  function baseName(url) {
    try {
      const path = new URL(url, "http://x.invalid/").pathname;
      return decodeURIComponent(path.split("/").pop() || "");
    } catch {
      return "";
    }
  }

  function stem(name) {
    return name.replace(/\.[a-z0-9]{2,5}$/i, "");
  }

  /**
   * What kind of text alternative `text` is for an image at `src`:
   * "missing" (null), "decorative" (empty), "useless" (a file name, an address, "image", a
   * camera's name for it...) or "useful".
   */
  function classifyAlt(text, src) {
    if (text === null || text === undefined) return "missing";
    const t = normalise(text);
    if (t === "") return "decorative";
    const lower = t.toLowerCase().replace(/[.:!,;]+$/, "").trim();
    if (NO_LETTERS.test(lower) || DIGITS.test(lower)) return "useless";
    if (URLISH.test(lower)) return "useless";
    if (!lower.includes(" ") && (lower.includes("/") || lower.includes("\\"))) return "useless";
    if (IMAGE_EXT.test(lower)) return "useless";
    if (GENERIC.has(lower)) return "useless";
    const withoutNumber = lower.replace(/[\s_#-]*\(?\d+\)?$/, "").trim();
    if (GENERIC.has(withoutNumber)) return "useless";
    if (CAMERA.test(lower)) return "useless";
    if (HEXISH.test(lower) && /\d/.test(lower)) return "useless";
    if (src) {
      const fileStem = stem(baseName(src)).toLowerCase();
      if (fileStem && !lower.includes(" ") && lower === fileStem) return "useless";
    }
    return "useful";
  }

  function isUseful(text, src) {
    return classifyAlt(text, src) === "useful";
  }

  /**
   * A file name that says something ("sunset-over-lake.jpg" → "sunset over lake"), or null
   * for names a camera, a CMS or a hash made up.
   */
  function meaningfulFileName(url) {
    if (!url || /^(data|blob):/i.test(url)) return null;
    const name = stem(baseName(url));
    if (!name || classifyAlt(name, null) !== "useful") return null;
    const words = name
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .split(/[\s_+.-]+/)
      .filter((w) => w && !/^\d+$/.test(w) && !/^[0-9a-f]{6,}$/i.test(w) && !/^\d+x\d+$/i.test(w) &&
        !/^(final|copy|edited|scaled|large|small|medium|thumb|thumbnail|min|web|hd|hi|lo|v\d+|@\dx)$/i.test(w));
    const real = words.filter((w) => /\p{L}{3,}/u.test(w));
    if (real.length === 0) return null;
    if (real.length === 1 && (real[0].length < 4 || GENERIC.has(real[0].toLowerCase()))) return null;
    const phrase = words.join(" ").toLowerCase();
    if (GENERIC.has(phrase) || classifyAlt(phrase, null) !== "useful") return null;
    return phrase;
  }

  /** The name of an image with no text we could read, from what the page says about it;
   * `unread`: the daemon found text it could not read (another script), which is not "no text". */
  function noTextName({ caption, title, linkText, src }, unread = false) {
    const lead = unread ? "Image, text that could not be read." : "Image, no text found.";
    const c = normalise(caption);
    if (c) return `${lead} Caption: ${c}`;
    const t = normalise(title);
    if (t && isUseful(t, src)) return `${lead} Title: ${t}`;
    const l = normalise(linkText);
    if (l) return `${lead} Link: ${l}`;
    const f = meaningfulFileName(src);
    if (f) return `${lead} File name: ${f}`;
    return lead;
  }

  globalThis.A11yHelperRules = { classifyAlt, isUseful, meaningfulFileName, noTextName, normalise };
})();
