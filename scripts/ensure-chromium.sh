#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright; install it when missing.
exec bash "$(dirname "$0")/ensure-debian.sh" /usr/bin/chromium chromium "the browser tests"
