"""The console: the pages engagement teams work in (docs/console.md).

Server-rendered (aiohttp + Jinja2) over the JSON API's own operations: a page runs the
declared operation for the signed-in principal (`View.invoke`, through `bot.api.invoke`), so
the page and the API show and change exactly the same things under the same permission check.

- `declare`: how a page is declared (path, method, permission), once;
- `view`: what a page handler gets — the principal, `invoke`, forms, rendering, translation;
- `site`: the routes made from the declarations, the layout's navigation and banners, errors
  as pages, security headers, static files;
- `i18n`: the interface's languages (gettext catalogues under `locale/`), negotiation,
  number and date formatting, direction;
- `charts`: SVG bar charts rendered on the server;
- one module per area of pages (`campaigns`, ...), each with its own `pages`, listed in
  `areas.all_pages`.
"""
