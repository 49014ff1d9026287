import sanitizeHtml from 'sanitize-html';

/**
 * The HTML part of a message, made safe to show: an allow list (sanitize-html's benign defaults plus images and a few
 * legacy layout tags), so script, event handlers, forms, frames, objects, <style>, <base>, <meta> and style attributes
 * are dropped; links keep only http, https and mailto and open in a new tab without a referrer; images load only from
 * inline data (mailparser turns "cid:" parts into data: URLs), so a remote image (a tracking pixel) never loads and
 * shows as a marker instead. This is one of two fences: the page that shows the result is also served sandboxed with
 * a CSP that forbids script and remote loads (routes/webmail.ts), so a gap in either is caught by the other.
 */

export interface SanitizedHtml {
  html: string;
  /** Images that would have loaded from another server (tracking pixels, remote pictures) and were left out. */
  blockedImages: number;
}

const INLINE_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/i;
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i;
const LAYOUT_ATTRIBUTES = ['align', 'valign', 'width', 'height', 'border', 'cellpadding', 'cellspacing', 'colspan', 'rowspan', 'bgcolor', 'color'];

export function sanitizeMessageHtml(html: string): SanitizedHtml {
  let blockedImages = 0;
  const clean = sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      '*': ['dir', 'lang', 'title'],
      a: ['href', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['color', 'face', 'size'],
      table: LAYOUT_ATTRIBUTES,
      tr: LAYOUT_ATTRIBUTES,
      td: LAYOUT_ATTRIBUTES,
      th: LAYOUT_ATTRIBUTES,
      col: ['span', 'width'],
      colgroup: ['span', 'width'],
      ol: ['start', 'type'],
      p: ['align'],
      div: ['align'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    allowVulnerableTags: false,
    // Whatever these hold is never shown as text either (a <title> would otherwise print inside the body).
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xmp', 'iframe', 'noembed', 'noframes'],
    transformTags: {
      a: (_tag, attribs) => ({ tagName: 'a', attribs: { ...(attribs.href ? { href: attribs.href } : {}), ...(attribs.title ? { title: attribs.title } : {}), target: '_blank', rel: 'noopener noreferrer' } }),
      img: (_tag, attribs) => {
        const src = (attribs.src ?? '').trim();
        const keep = { ...(attribs.width ? { width: attribs.width } : {}), ...(attribs.height ? { height: attribs.height } : {}) };
        if (INLINE_IMAGE.test(src)) return { tagName: 'img', attribs: { ...keep, src, alt: attribs.alt ?? '' } };
        if (REMOTE.test(src)) blockedImages += 1;
        // Without a source the browser shows the alternative text in its place, marked as held back.
        const alt = (attribs.alt ?? '').trim();
        return { tagName: 'img', attribs: { alt: alt ? `[image not loaded: ${alt}]` : '[image not loaded]' } };
      },
    },
  });
  return { html: clean, blockedImages };
}
