# steward: multi-stage build, static binary, non-root runtime.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/steward ./cmd/steward

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/steward /usr/local/bin/steward
USER nonroot:nonroot
WORKDIR /home/nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/steward"]
CMD ["run"]
