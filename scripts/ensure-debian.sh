#!/usr/bin/env bash
# Install a Debian package when the command it provides is missing (as root; otherwise
# say what to run). Usage: ensure-debian.sh COMMAND PACKAGE "what needs it"
set -euo pipefail
command="$1" package="$2" purpose="${3:-chiso}"
if command -v "$command" >/dev/null; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's $package for $purpose..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
else
  echo "$purpose needs Debian's $package ($command): sudo apt-get install $package" >&2
  exit 1
fi
