"""Web chat: a small server-rendered chat for people without Telegram or WhatsApp (`templates/`).

- `routes`: the pages and forms over plain HTTP; `forms`: what a form posted;
- `conversation`: a participant's conversation, rebuilt when the page is built;
- `commits`: a POST waits until a worker has committed its event;
- `ids`: the private link's token and event ids; `joins`: how many joins one address may
  make; `origin`: forms are taken only from the web chat's own pages;
- `recovery`: a way back for a lost link (a recovery code, links issued anew);
- `leaving`: the quick exit's way out, to a neutral page.
"""
