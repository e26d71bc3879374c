using System.Net;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static ArbBot.Tests.Web.Security.SecurityTestSupport;

namespace ArbBot.Tests.Web.Validation;

/// <summary>
/// Every REST endpoint, taken from the app's <see cref="EndpointDataSource"/>, has its inputs listed here with values
/// that must be refused — missing, wrong type, out of range, too long, unknown enum, unknown field — and each is
/// answered 400 with a ValidationProblem naming the field, while nothing on the desk changes (switches, limits, strategy
/// settings, pairs, users, settings rows and the audit trail). An endpoint added without an entry fails the sweep.
/// </summary>
public sealed class ApiInputSweepTests : IAsyncLifetime
{
    private static readonly string TooLong = "\"" + new string('x', 70 * 1024) + "\"";

    /// <summary>
    /// By "METHOD route": the bad requests (query string or JSON body, and the field the answer must name). An empty list
    /// says the endpoint takes no input that could be refused (say why).
    /// </summary>
    private static readonly Dictionary<string, BadRequest[]> Cases = new(StringComparer.Ordinal)
    {
        ["GET /api/limits"] = [],
        ["PUT /api/limits"] =
        [
            Body("", "body"), Body("[]", "body"), Body("""{"maxTradeSizes": 10}""", "maxTradeSizes"),
            Body("""{"minNetEdge": "a lot"}""", "minNetEdge"), Body("""{"maxTradeSize": -5}""", "maxTradeSize"),
            Body("""{"maxOpenPositions": 1.5}""", "maxOpenPositions"), Body("""{"pairCooldown": "soon"}""", "pairCooldown"),
            Body("""{"maxBookAge": "-00:00:01"}""", "maxBookAge"), Body("""{"dailyLossLimit": 1e30}""", "dailyLossLimit"),
            Body("""{"circuitBreakerFailures": 0}""", "circuitBreakerFailures"), Body("""{"maxDrawdown": null, "x": 1}""", "x"),
            Body("""{"minNetEdge": """ + TooLong + "}", "body"),
        ],
        // The reason is free text: cut to a maximum and cleaned, never refused (pausing must always work).
        ["POST /api/trading/pause"] = [],
        ["POST /api/trading/resume"] = [],
        ["POST /api/kill-switch"] = [],
        ["DELETE /api/kill-switch"] = [],
        ["GET /api/status"] = [],
        ["GET /api/pairs"] = [Query("status=Bogus", "status"), Query("status=2", "status")],
        // The id is a route constraint: "/api/pairs/abc" matches no endpoint (404).
        ["GET /api/pairs/{id:long}"] = [],
        ["POST /api/pairs/{id:long}/approve"] =
        [
            Body("""{"mapping": "Sideways"}""", "mapping"), Body("""{"mapping": 1}""", "mapping"),
            Body("""{"mappings": "Same"}""", "mappings"), Body("[1]", "body"),
        ],
        ["POST /api/pairs/{id:long}/pause"] = [],
        ["POST /api/pairs/{id:long}/resume"] = [],
        ["POST /api/pairs/{id:long}/retire"] = [],
        ["GET /api/positions"] = [],
        ["GET /api/stats/execution"] = [],
        ["GET /api/opportunities"] =
        [
            Query("limit=abc", "limit"), Query("limit=0", "limit"), Query("limit=1001", "limit"), Query("limit=99999999999", "limit"),
            Query("before=abc", "before"), Query("pairId=-1", "pairId"), Query("pairId=1.5", "pairId"), Query("decision=Maybe", "decision"),
            Query("limit=5&limit=6", "limit"),
        ],
        ["GET /api/orders"] = [Query("limit=-1", "limit"), Query("status=Bogus", "status"), Query("pairId=x", "pairId")],
        ["GET /api/trades"] = [Query("limit=ten", "limit"), Query("pairId=99999999999999999999", "pairId")],
        ["GET /api/live"] = [],
        ["POST /api/live/arm"] =
        [
            Body("", "body"), Body("""{"confirmation": "arm live"}""", "confirmation"), Body("""{"confirmation": 5}""", "confirmation"),
            Body("""{"confirm": "ARM LIVE"}""", "confirm"),
        ],
        ["POST /api/live/disarm"] = [],
        ["GET /api/strategies/multi-outcome"] = [],
        ["PUT /api/strategies/multi-outcome"] =
        [
            Body("", "body"), Body("""{"minNetEdge": 5}""", "minNetEdge"), Body("""{"maxOutcomes": "many"}""", "maxOutcomes"),
            Body("""{"maxOutcomes": 1}""", "maxOutcomes"), Body("""{"enabled": "yes"}""", "enabled"), Body("""{"minEdge": 0.05}""", "minEdge"),
            Body("""{"kalshiExhaustiveEvents": [""" + TooLong + "]}", "body"),
        ],
        ["GET /api/strategies/spike"] = [],
        ["PUT /api/strategies/spike"] =
        [
            Body("", "body"), Body("""{"direction": "Sideways"}""", "direction"), Body("""{"direction": 1}""", "direction"),
            Body("""{"ewmaSpan": -1}""", "ewmaSpan"), Body("""{"kellyFraction": 9}""", "kellyFraction"),
            Body("""{"sampleInterval": "soon"}""", "sampleInterval"), Body("""{"cusumTreshold": 0.1}""", "cusumTreshold"),
        ],
    };

    private readonly DeskAppFactory _app = new(KeySettings());

    public async Task InitializeAsync() => await _app.Services.GetRequiredService<EngineHost>().Ready;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void Every_REST_endpoint_has_its_inputs_listed_in_the_sweep()
    {
        var endpoints = ApiEndpoints().ToList();

        var unlisted = endpoints.Where(e => !Cases.ContainsKey(e)).ToList();
        var gone = Cases.Keys.Where(k => !endpoints.Contains(k)).ToList();

        Assert.True(unlisted.Count == 0, "Endpoints without input cases: " + string.Join(", ", unlisted));
        Assert.True(gone.Count == 0, "Cases for endpoints that no longer exist: " + string.Join(", ", gone));
    }

    [Fact]
    public async Task Every_bad_input_of_every_endpoint_gets_a_400_naming_the_field_and_changes_nothing()
    {
        using var client = KeyClient(_app, AdminKey);
        var pairId = (await _app.Services.GetRequiredService<ArbBot.Engine.Matching.PairService>().ListAsync(null, CancellationToken.None)).FirstOrDefault()?.Id ?? 1;
        var before = await DeskFingerprintAsync(_app);
        var failures = new List<string>();
        foreach (var (endpoint, cases) in Cases)
        {
            var method = endpoint.Split(' ')[0];
            var route = endpoint.Split(' ')[1].Replace("{id:long}", pairId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            foreach (var bad in cases)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), bad.Query is null ? route : $"{route}?{bad.Query}");
                if (bad.Body is not null) request.Content = new StringContent(bad.Body, Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var what = $"{endpoint} {bad.Query ?? Shorten(bad.Body)}";
                if (response.StatusCode != HttpStatusCode.BadRequest) failures.Add($"{what}: {(int)response.StatusCode}, expected 400. {Shorten(text)}");
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") failures.Add($"{what}: not a ValidationProblem: {Shorten(text)}");
                else
                {
                    using var problem = JsonDocument.Parse(text);
                    if (!problem.RootElement.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(bad.Field, out var messages)
                        || messages[0].GetString() is not { Length: > 0 })
                    {
                        failures.Add($"{what}: the problem does not name '{bad.Field}': {Shorten(text)}");
                    }
                }
                if (await DeskFingerprintAsync(_app) != before) failures.Add($"{what}: the desk changed");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private IEnumerable<string> ApiEndpoints() =>
        _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? "").StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct();

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";

    private static BadRequest Body(string body, string field) => new(null, body, field);

    private static BadRequest Query(string query, string field) => new(query, null, field);

    private sealed record BadRequest(string? Query, string? Body, string Field);
}
