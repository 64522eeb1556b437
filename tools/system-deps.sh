#!/usr/bin/env bash
# Install the Debian packages the PDF (xelatex) and the browser test (Chromium) need.
# Installs only what is missing; as a normal user it prints the command to run instead.
set -euo pipefail
packages=(texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-fonts-extra latexmk
          fonts-freefont-otf fonts-noto-cjk poppler-utils chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present"
    exit 0
fi
echo "system packages missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
echo "system packages: installed ${missing[*]}"
