"""The console: the pages engagement teams work in (docs/console.md).

Server-rendered (aiohttp + Jinja2) over the JSON API's own operations: a page runs the
declared operation for the signed-in principal (`View.invoke`, through `bot.api.invoke`), so
the page and the API show and change exactly the same things under the same permission check.

- `declare`: how a page is declared (path, method, permission), once;
- `view`: what a page handler gets — the principal, `invoke`, forms, rendering, translation —
  and the banners a page may show;
- `site`: the routes made from the declarations, the layout's navigation, errors as pages,
  security headers, static files;
- `i18n`: the interface's languages (gettext catalogues under `locale/`), negotiation,
  number and date formatting, direction; `catalogue`: the catalogues brought up to date for
  translators;
- `charts`: SVG bar charts rendered on the server; `problems`: the API's refusals said in the
  reader's language; `file_problems`: the mistakes of an uploaded survey, XLSForm or decision
  file, each at its place, said in the reader's language from its code;
- `areas`: every area's pages and banners, one module per area (`campaigns`; `results`: a
  campaign's results, live; `decisions` and `decision_form`: a campaign's decisions, composed,
  previewed, published, followed; `loop`: the organisation's loop report; `exports`: what a
  role may download of a campaign; `cases`: the grievance desk; `staff`: members, roles and
  API tokens, for admins; `audit`: the audit log, filtered, with its chain's verdict; `triage`:
  a campaign's free-text answers and concerns to read, flag and link, and the safety alert
  banner; ...).
"""
