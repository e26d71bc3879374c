# ArbBot: the desk in one container. Build: docker build -t arbbot .
# Run:   docker run -p 8080:8080 -v arbbot-data:/data arbbot   (then open http://localhost:8080; the first run prints
#        the admin password in the container's log).
# The steps mirror the README: restore and build with the .NET 10 SDK (which also extracts Blazor's script and restores the chart library with npm),
# then run ArbBot.Web on the ASP.NET Core 10 runtime.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# npm restores the chart library (plotly.js-dist-min) during the build.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Published for the image's runtime (linux-x64, or linux-arm64 when built for arm64) so the engine is compiled
# ReadyToRun (ArbBot.Web.csproj): the first book events and the first alarm do not wait for the JIT on the hub.
ARG TARGETARCH
COPY Directory.Build.props Directory.Packages.props ArbBot.sln appsettings.json ./
COPY ArbBot.Engine/ArbBot.Engine.csproj ArbBot.Engine/
COPY ArbBot.Web/ArbBot.Web.csproj ArbBot.Web/
RUN RID=linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64) \
    && dotnet restore ArbBot.Web/ArbBot.Web.csproj -r "$RID"
COPY ArbBot.Engine/ ArbBot.Engine/
COPY ArbBot.Web/ ArbBot.Web/
RUN RID=linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64) \
    && dotnet publish ArbBot.Web/ArbBot.Web.csproj -c Release -r "$RID" --self-contained false -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's non-root 'app' user owns the data volume (database and recordings).
RUN mkdir -p /data && chown app:app /data
USER app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ArbBot__Storage__SqlitePath=/data/arbbot.db
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["dotnet", "ArbBot.Web.dll", "--probe-health"]
ENTRYPOINT ["dotnet", "ArbBot.Web.dll"]
