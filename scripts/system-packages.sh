#!/usr/bin/env bash
# Installs the Debian packages the tests need (a real browser, CJK fonts, PostgreSQL 15,
# LibreOffice and poppler to open and measure the Word files, an LDAP server),
# only those missing, with one `apt-get update`. Safe to run again: it does nothing then.
set -euo pipefail

PACKAGES=(
  chromium            # Playwright drives Debian's Chromium (never a downloaded one)
  fonts-noto-cjk      # so that pages and screenshots show Chinese, not boxes
  fonts-lxgw-wenkai   # the open 楷体 (LXGW WenKai) of the level-2 headings, as the screen shows them
  postgresql-15       # the suite runs on PostgreSQL too
  libreoffice-writer-nogui  # a real, independent client opens and renders the Word files
  poppler-utils       # pdftotext -bbox-layout measures them, pdftoppm draws them
  fontconfig
  fonts-liberation2   # Times New Roman's metric twin for digits and Latin text
  slapd               # a real LDAP directory for the directory sign-in tests (started by the tests)
  ldap-utils          # ldapadd loads the tests' directory
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
((${#missing[@]})) || exit 0

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "缺少系统软件包：${missing[*]}。请以 root 身份运行：apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
