#!/usr/bin/env bash
# Build the Lambda code of deploy/aws-sam/template.yaml without Docker: a wheel of this checkout, then it
# and its dependencies for Lambda's platform installed into .build/function/ with pip --target.
#
#   deploy/aws-sam/build.sh
#   sam deploy --guided --template-file deploy/aws-sam/template.yaml
#
# Settings (environment): EXTRAS (default "aws"), PYTHON_VERSION (default 3.12, the template's Runtime),
# ARCH (x86_64 or arm64, the template's Architectures), PYTHON (the pip to run, default python3),
# CLOUDAUDIT_BUILD_DIR (default deploy/aws-sam/.build/function).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${CLOUDAUDIT_BUILD_DIR:-$here/.build/function}"
extras="${EXTRAS:-aws}"
python_version="${PYTHON_VERSION:-3.12}"
python="${PYTHON:-python3}"
case "${ARCH:-x86_64}" in
  x86_64) machine=x86_64 ;;
  arm64) machine=aarch64 ;;
  *) echo "build.sh: ARCH must be x86_64 or arm64, not '${ARCH}'" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Built from a copy: setuptools' build/ directory in the checkout could carry stale modules into the wheel.
mkdir "$work/src"
cp -R "$root/pyproject.toml" "$root/README.md" "$root/src" "$root/providers" "$work/src/"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheels=("$work"/dist/cloudaudit-*.whl)
rm -rf "${out:?}"
mkdir -p "$out"
# Lambda's Python runtimes run on Amazon Linux 2023 (glibc 2.34): manylinux 2014 and 2_28 wheels both fit.
"$python" -m pip install --quiet --no-compile --target "$out" --only-binary=:all: \
  --implementation cp --python-version "$python_version" \
  --platform "manylinux2014_${machine}" --platform "manylinux_2_28_${machine}" \
  "${wheels[0]}[${extras}]"
rm -rf "${out:?}/bin"
echo "built $out ($(du -sh "$out" | cut -f1), Python ${python_version}, ${ARCH:-x86_64}, extras: ${extras})"
