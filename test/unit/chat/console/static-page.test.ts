/**
 * The console's static page, read as text: where it is served from, its accessibility landmarks and labels,
 * the hooks the browser tests rely on, and the rules that keep server text from ever running as markup.
 * (Its behaviour is covered by the browser test against a running server.)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHECK_MARKS, TONE_MARKS } from '../../../../src/chat/chat-marks';

const STATIC = resolve(__dirname, '../../../../src/chat/console/static');
const html = readFileSync(join(STATIC, 'index.html'), 'utf8');
const js = readFileSync(join(STATIC, 'console.js'), 'utf8');
const css = readFileSync(join(STATIC, 'console.css'), 'utf8');

/** The source without comments, so a rule cannot be met (or broken) by a comment alone. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}
const jsCode = code(js);

/** The opening tag of the element with this id, or undefined. */
function tagWithId(id: string): string | undefined {
  return new RegExp(`<[a-z]+\\b[^>]*\\bid="${id}"[^>]*>`, 'i').exec(html)?.[0];
}

describe('console static page: index.html', () => {
  it('is served under /console/ with its assets relative to it', () => {
    expect(html).toMatch(/<base href="\/console\/">/);
    expect(html).toMatch(/<link\b[^>]*rel="stylesheet"[^>]*href="assets\/console\.css"/);
    expect(html).toMatch(/<script\b[^>]*src="assets\/console\.js"/);
  });

  it('loads nothing from another host (the demo works offline)', () => {
    for (const text of [html, css]) {
      expect(text).not.toMatch(/(src|href)="(https?:)?\/\//i);
      expect(text).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
    }
    expect(jsCode).not.toMatch(/['"`](https?:)?\/\/[a-z]/i);
  });

  it('has the landmarks and a live channel view', () => {
    expect(html).toMatch(/<header\b/);
    expect(html).toMatch(/<main\b/);
    expect(html).toMatch(/<form\b[^>]*aria-label="[^"]+"/);
    expect(tagWithId('channel')).toMatch(/aria-live="polite"/);
  });

  it('labels every input', () => {
    for (const id of ['user-picker', 'command-input', 'rc-impact', 'rc-root-cause', 'rc-prevention']) {
      expect(html).toMatch(new RegExp(`<label\\b[^>]*for="${id}"`));
      expect(tagWithId(id)).toBeDefined();
    }
    expect(html).toMatch(/<label for="user-picker">Acting as<\/label>/);
    expect(html).toMatch(/<label for="command-input">Command<\/label>/);
  });

  it('has the command form: input, Send submit button', () => {
    expect(tagWithId('command-input')).toMatch(/^<input\b/);
    expect(tagWithId('command-send')).toMatch(/^<button\b[^>]*type="submit"/);
    expect(html).toMatch(/id="command-send"[^>]*>Send<\/button>/);
  });

  it('has the root cause dialog with its three named textareas and a submit button', () => {
    const dialog = /<dialog\b[^>]*id="root-cause-dialog"[^>]*>([\s\S]*?)<\/dialog>/.exec(html)?.[1];
    expect(dialog).toBeDefined();
    for (const name of ['impact', 'rootCause', 'prevention']) expect(dialog).toMatch(new RegExp(`<textarea\\b[^>]*name="${name}"`));
    for (const label of ['Customer impact', 'Root cause', 'Prevention']) expect(dialog).toMatch(new RegExp(`<label\\b[^>]*>${label}</label>`));
    expect(dialog).toMatch(/<button\b[^>]*type="submit"/);
  });

  it('has every hook id the browser tests use, each once', () => {
    for (const id of ['user-picker', 'command-input', 'command-send', 'channel', 'guide', 'connection', 'root-cause-dialog']) {
      expect(tagWithId(id)).toBeDefined();
    }
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('finds in the page every element the script looks up by id', () => {
    const lookedUp = [...jsCode.matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1]!);
    expect(lookedUp.length).toBeGreaterThan(10);
    for (const id of lookedUp) expect(tagWithId(id)).toBeDefined();
  });
});

describe('console static page: console.js', () => {
  it('never turns text into markup or code', () => {
    expect(jsCode).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|DOMParser/);
    expect(jsCode).not.toMatch(/\beval\s*\(|new\s+Function\b|document\.write/);
    expect(jsCode).not.toMatch(/setTimeout\(\s*['"`]|setInterval\(\s*['"`]/);
    expect(jsCode).toMatch(/textContent/);
  });

  it('streams events from api/events with EventSource, for the chosen user', () => {
    expect(jsCode).toMatch(/new EventSource\(`api\/events\?user=\$\{encodeURIComponent\(/);
    expect(jsCode).toMatch(/addEventListener\('chat'/);
  });

  it('calls the API with relative paths only', () => {
    for (const path of ['api/session', 'api/guide', 'api/commands', 'api/actions', 'api/root-cause']) expect(jsCode).toContain(`'${path}'`);
    expect(jsCode).not.toMatch(/['"`]\/console\//);
    expect(jsCode).not.toMatch(/['"`]\/api\//);
  });

  it('sends a fresh interaction id with every command, click and form', () => {
    expect(jsCode).toMatch(/crypto\.randomUUID\(\)/);
    // A command, a click, the root-cause form and a review note.
    expect(jsCode.match(/interactionId: uuid\(\)/g)).toHaveLength(4);
  });

  it('renders the hooks: .message with data-id/kind/tone, .thread, .ephemeral, .guide-step, button[data-action]', () => {
    expect(jsCode).toMatch(/el\('article', `message /);
    expect(jsCode).toMatch(/\{ id: entry\.id, kind: [^}]*, tone \}/);
    expect(jsCode).toMatch(/el\('div', 'thread'\)/);
    expect(jsCode).toMatch(/classList\.add\('ephemeral'\)/);
    expect(jsCode).toContain('Only visible to you');
    expect(jsCode).toMatch(/el\('li', 'guide-step'\)/);
    expect(jsCode).toMatch(/\{ action: String\(b\.action\), value: String\(b\.value\) \}/);
    expect(jsCode).toMatch(/setAttribute\('aria-label', buttonLabel\(b\)\)/);
  });

  it('uses the same tone and checklist marks as Slack and Discord', () => {
    for (const [tone, mark] of Object.entries(TONE_MARKS)) expect(jsCode).toContain(`${tone}: '${mark}'`);
    for (const [status, mark] of Object.entries(CHECK_MARKS)) expect(jsCode).toContain(`${status}: '${mark}'`);
  });

  it('stays small and strict', () => {
    expect(js.split('\n').length).toBeLessThan(700);
    expect(js).toMatch(/^'use strict';$/m);
    expect(jsCode).not.toMatch(/\b(import|require)\s*\(/);
  });
});

describe('console static page: console.css', () => {
  it('styles every tone and button style', () => {
    for (const tone of ['info', 'progress', 'success', 'warning', 'danger']) expect(css).toContain(`.message.tone-${tone}`);
    for (const style of ['primary', 'danger', 'secondary']) expect(css).toMatch(new RegExp(`\\.btn-${style}\\b|--${style}`));
    expect(css).toContain('.ephemeral');
  });
});
