# The camera gateway's image: a JRE and the command line with its runtime dependencies (FFmpeg and OpenCV come as
# JavaCV's Linux x86-64 natives, so no ffmpeg package is needed). Build from the repository root:
#   mvn -B -DskipTests install
#   mvn -B -pl cli dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
#   docker build -f k8s/gateway.Dockerfile -t lfr/gateway:0.1.0 .
FROM eclipse-temurin:17-jre
COPY cli/target/lib/ /opt/lfr/lib/
COPY cli/target/lfr-cli-0.1.0-SNAPSHOT.jar /opt/lfr/lib/
# JavaCV unpacks its natives under the user's home; the root filesystem is read-only in k8s/gateway.yaml
ENV JAVA_TOOL_OPTIONS="-Duser.home=/tmp -XX:+ExitOnOutOfMemoryError"
USER 10001
ENTRYPOINT ["java", "-cp", "/opt/lfr/lib/*", "dev.lfr.cli.Lfr"]
