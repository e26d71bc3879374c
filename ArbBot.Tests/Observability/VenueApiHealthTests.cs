using System.Net;
using ArbBot.Engine.Core;
using ArbBot.Engine.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ArbBot.Tests.Observability;

public sealed class VenueApiHealthTests
{
    [Fact]
    public async Task Handler_records_latency_and_errors_per_endpoint_with_ids_folded()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        server.MapGet("/trade-api/v2/markets/{ticker}", (string ticker) => ticker == "BAD-1" ? Results.StatusCode(503) : Results.Ok(new { ticker }));
        await server.StartAsync();
        var root = new Uri(server.Urls.First());

        var health = new VenueApiHealth(TimeProvider.System);
        using var http = new HttpClient(new VenueApiHealthHandler(health, VenueId.Kalshi) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = root };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/trade-api/v2/markets/KXA-25")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/trade-api/v2/markets/KXB-26")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/trade-api/v2/markets/BAD-1")).StatusCode);
        await server.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/trade-api/v2/markets/KXC-27"));

        var endpoint = Assert.Single(health.Snapshot());
        Assert.Equal("GET /trade-api/v2/markets/{id}", endpoint.Endpoint);
        Assert.Equal(4, endpoint.Calls);
        Assert.Equal(2, endpoint.Errors);
        Assert.Equal("HttpRequestException", endpoint.LastError);
        Assert.True(endpoint.MaxLatency >= endpoint.MeanLatency && endpoint.MeanLatency > TimeSpan.Zero);
    }
}
