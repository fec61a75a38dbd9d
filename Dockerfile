# Sluice in a container: build on Debian bookworm, then copy the installed
# files into a bookworm image with the runtime libraries only.
#
#   docker build -t sluice .
#   docker run --rm -v "$PWD/job.ini:/etc/sluice/job.ini:ro" -p 9464:9464 sluice
#
# The job file is mounted at /etc/sluice/job.ini.  The HTTP endpoint
# (/metrics, /health, /ready, /status) listens on port 9464 and logs are
# JSON lines; arguments after the image name go to `sluice run` and win
# over these (--set job.log.format=text, --set events.stop=end).  `docker
# stop` sends SIGTERM, which ends the job cleanly.  See doc/operating.md.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential autoconf automake libtool pkg-config \
      libltdl-dev libinih-dev libjansson-dev librdkafka-dev libmicrohttpd-dev \
      g++ libsimdjson-dev libpq-dev libcurl4-openssl-dev libpcre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN autoreconf -fi \
 && ./configure --prefix=/usr --sysconfdir=/etc \
      --with-microhttpd=yes --with-libpq=yes --with-libcurl=yes \
      --with-systemdsystemunitdir=no \
 && make -j"$(nproc)" \
 && make install DESTDIR=/out \
 && rm -rf /out/usr/include /out/usr/lib/pkgconfig /out/usr/share/sluice/sdk

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libltdl7 libinih1 libjansson4 libpcre2-8-0 librdkafka1 libmicrohttpd12 libsimdjson14 libpq5 libcurl4 libstdc++6 libgcc-s1 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --home-dir /nonexistent sluice
COPY --from=build /out/ /
USER sluice
EXPOSE 9464
ENTRYPOINT ["sluice", "run", "/etc/sluice/job.ini", \
            "--set", "job.http.listen=0.0.0.0:9464", \
            "--set", "job.log.format=json"]
