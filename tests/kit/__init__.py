"""One kit for "a running Sauti with fakes", used by every channel's tests.

- `example`: the example campaign every test deployment serves.
- `settings`: a test deployment's environment and settings (the test's Redis, fresh secrets),
  shared by the App a test builds and the `sauti` processes it starts.
- `running`: the App from `build_app`, its web server, its roles in the background, or all of
  it as `sauti run`; draining workers and senders by hand.
- `waiting`: polling until a condition holds; a free port.
- `fixtures`: the `app`, `web_client` and `world` fixtures (a pytest plugin, see conftest).
- `runtime`: the pipeline wired by hand, for tests of its parts.
- `telegram`, `whatsapp`, `webchat`: each channel's settings for its loopback fake (tests/fakes),
  and participants driven through it; `sender_process`: a sender in a process of its own.
- `stored`: what a running Sauti stored, read back (and rewritten as an older version wrote it);
  `footprint`: what participants leave in Redis, per kind of key.
"""
