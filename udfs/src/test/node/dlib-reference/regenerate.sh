#!/usr/bin/env bash
# Regenerates udfs/src/test/resources/conformance/dlib-resnet-reference.json: face-api.js's own descriptors for
# 24 real face chips, which DlibResNetConformanceTest compares with our ONNX rebuild.
# Needs: node + npm, ../shared/data, and a built project (mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
mvn -q -B dependency:build-classpath -pl udfs -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
java -cp "udfs/target/test-classes:udfs/target/classes:$(cat "$work/cp.txt")" \
  dev.lfr.udfs.model.ConformanceInputs "$root/../shared/data/dlib" "$work"
(cd "$here" && npm install --no-audit --no-fund --silent)
node "$here/reference.mjs" "$work" > "$root/udfs/src/test/resources/conformance/dlib-resnet-reference.json"
echo "wrote udfs/src/test/resources/conformance/dlib-resnet-reference.json"
