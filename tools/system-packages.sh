#!/bin/sh
# Install the Debian packages given as arguments when they are missing.
# As root it installs them with apt-get; otherwise it prints the command to run.
set -eu

missing=""
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Не хватает пакетов:$missing. Установите LibreOffice Writer, шрифты Liberation и poppler-utils вручную." >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Не хватает пакетов:$missing." >&2
    echo "Установите их командой: sudo apt-get install --no-install-recommends$missing" >&2
    echo "Без LibreOffice будут собраны только DOCX." >&2
    exit 0
fi
echo "Устанавливаю пакеты:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
