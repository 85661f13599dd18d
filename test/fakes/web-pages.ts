/**
 * Pages for the lighthouse check to audit, standing in for "a page the demo service serves" (the demo
 * service itself is not changed for this): `/fast` is small static HTML that scores at the top;
 * `/slow` waits before its first byte and then blocks the main thread with long tasks, so it scores
 * far below any sensible threshold whatever the machine; `/hang` never answers.
 */
import { HttpFakeServer } from './http-fake-base';

/** Time before `/slow` sends its first byte: Lighthouse's desktop scoring makes 4 s of FCP/LCP near-worthless. */
export const SLOW_FIRST_BYTE_MS = 4_000;

const FAST_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="A page that is small and quick.">
  <title>Fast page</title>
</head>
<body>
  <h1>Service is up</h1>
  <p>Nothing here to wait for.</p>
</body>
</html>`;

// After the first paint, ten 250 ms tasks back to back: about 2 s of Total Blocking Time, which
// alone zeroes TBT's 30% of the score, on a fast machine or a slow one.
const SLOW_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Slow page</title>
</head>
<body>
  <h1>Service is slow</h1>
  <p id="status">Working…</p>
  <script>
    let left = 10;
    function block() {
      const end = performance.now() + 250;
      while (performance.now() < end) {}
      if (--left > 0) setTimeout(block, 0);
      else document.getElementById('status').textContent = 'Done.';
    }
    setTimeout(block, 100);
  </script>
</body>
</html>`;

const HTML = { 'content-type': 'text/html; charset=utf-8' };

export class WebPages {
  private constructor(private readonly server: HttpFakeServer) {}

  static async start(): Promise<WebPages> {
    const server = await HttpFakeServer.listen('web pages', async (request) => {
      switch (request.url.pathname) {
        case '/fast':
          return { status: 200, body: FAST_PAGE, headers: HTML };
        case '/slow':
          await new Promise((resolve) => setTimeout(resolve, SLOW_FIRST_BYTE_MS));
          return { status: 200, body: SLOW_PAGE, headers: HTML };
        case '/hang':
          return { noAnswer: 'hang' };
        default:
          return { status: 404, body: 'not found' };
      }
    });
    return new WebPages(server);
  }

  /** `http://127.0.0.1:PORT`. */
  get base(): string {
    return this.server.base;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
