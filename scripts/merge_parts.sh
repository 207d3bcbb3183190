#!/usr/bin/env bash
# Fold the translations left in chiso/locale/vi/parts/*.po (by branches written while the
# catalogue was made from parts) into the catalogue, delete the parts, and rebuild the
# catalogue from the sources with makemessages + compilemessages (`make messages`).
# The catalogue's own translations win (msgcat --use-first); a part only adds what is
# missing. Run it after merging such a branch, then translate whatever `make test` lists.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian.sh msgcat gettext "the translation catalogue"
LOCALE=chiso/locale/vi
CATALOGUE=$LOCALE/LC_MESSAGES/django.po
shopt -s nullglob
parts=("$LOCALE"/parts/*.po)
if ((${#parts[@]})); then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Untranslated entries of the catalogue must not hide a part's translation.
  msgattrib --translated --no-fuzzy "$CATALOGUE" -o "$work/0-catalogue.po"
  inputs=("$work/0-catalogue.po")
  for part in "${parts[@]}"; do
    copy="$work/part-$(basename "$part")"
    # Parts were written without a header; msgcat needs one to read UTF-8.
    if ! grep -q 'charset=' "$part"; then
      printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' >"$copy"
    fi
    cat "$part" >>"$copy"
    inputs+=("$copy")
  done
  msgcat --use-first "${inputs[@]}" -o "$CATALOGUE"
  rm -f "${parts[@]}"
  rmdir "$LOCALE/parts" 2>/dev/null || true
  echo "Folded ${#parts[@]} parts file(s) into $CATALOGUE"
fi
make messages
