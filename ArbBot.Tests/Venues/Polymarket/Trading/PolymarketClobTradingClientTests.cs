using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Polymarket.Trading;

public sealed class PolymarketClobTradingClientTests
{
    [Fact]
    public async Task Credentials_are_derived_and_created_with_l1_auth_and_version_decides_the_exchange()
    {
        var state = new FakePolymarketExchangeState();
        await using var host = await FakePolymarketExchange.StartAsync(state);
        var options = host.ClientOptions();
        using var http = new HttpClient();
        var client = new PolymarketClobTradingClient(http, options, options.LoadPrivateKey(), null, TimeProvider.System);

        var derived = await client.DeriveApiKeyAsync(0, CancellationToken.None);
        Assert.Equal(state.Credentials.ApiKey, derived.ApiKey);
        var created = await client.CreateApiKeyAsync(0, CancellationToken.None);
        Assert.NotEqual(derived.ApiKey, created.ApiKey);
        Assert.Equal(state.Credentials.ApiKey, client.Credentials!.ApiKey);
        Assert.Equal(PolymarketExchangeVersion.V2, await client.GetVersionAsync(CancellationToken.None));
        state.Version = 1;
        Assert.Equal(PolymarketExchangeVersion.V1, await client.GetVersionAsync(CancellationToken.None));

        var stranger = new PolymarketClobTradingClient(http, options, PolymarketPrivateKey.FromHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"), null, TimeProvider.System);
        var refused = await Assert.ThrowsAsync<PolymarketApiException>(() => stranger.DeriveApiKeyAsync(0, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(1, state.AuthRejected);
    }

    [Fact]
    public async Task Trading_calls_carry_valid_hmac_headers_and_429_is_retried()
    {
        var state = new FakePolymarketExchangeState { Collateral = 123.45m };
        await using var host = await FakePolymarketExchange.StartAsync(state);
        var options = host.ClientOptions();
        using var http = new HttpClient();
        var client = new PolymarketClobTradingClient(http, options, options.LoadPrivateKey(), options.LoadApiCredentials(), TimeProvider.System);

        state.RateLimitNext(2);
        var balance = await client.GetBalanceAllowanceAsync(null, CancellationToken.None);

        Assert.Equal(123.45m, balance.Balance);
        Assert.Equal(123.45m, balance.Available);
        Assert.Equal(2, state.RateLimited);
        Assert.Equal(0, state.AuthRejected);

        state.RateLimitNext(options.MaxRetries + 1);
        var limited = await Assert.ThrowsAsync<PolymarketApiException>(() => client.GetBalanceAllowanceAsync(null, CancellationToken.None));
        Assert.True(limited.IsRateLimited);
    }

    [Fact]
    public async Task Batch_orders_rest_page_through_open_orders_and_cancel_one_many_and_all()
    {
        var state = new FakePolymarketExchangeState();
        state.AddToken(PolymarketTradingHarness.YesToken, PolymarketTradingHarness.ConditionId);
        await using var host = await FakePolymarketExchange.StartAsync(state);
        var options = host.ClientOptions();
        using var http = new HttpClient();
        var key = options.LoadPrivateKey();
        var client = new PolymarketClobTradingClient(http, options, key, options.LoadApiCredentials(), TimeProvider.System);
        var factory = PolymarketOrderFactory.FromOptions(options, key, TimeProvider.System);
        var posts = Enumerable.Range(0, 5).Select(i => new PolymarketOrderPost(
            factory.CreateLimitOrder(PolymarketExchangeVersion.V2, PolymarketTradingHarness.YesToken, Side.Buy, 0.10m + i * 0.01m, 10m, TickSize.Cent, false),
            i == 4 ? PolymarketOrderType.Gtd : PolymarketOrderType.Gtc, PostOnly: i == 0)).ToList();
        posts[4] = posts[4] with { Order = factory.CreateLimitOrder(PolymarketExchangeVersion.V2, PolymarketTradingHarness.YesToken, Side.Buy, 0.2m, 10m, TickSize.Cent, false, expirationSeconds: 4_000_000_000) };

        var responses = await client.PostOrdersAsync(posts, CancellationToken.None);

        Assert.All(responses, r => Assert.True(r.Success, r.ErrorMessage));
        Assert.Equal(posts.Select(p => p.Order.OrderId), responses.Select(r => r.OrderId));
        Assert.Equal(5, (await client.GetOpenOrdersAsync(null, PolymarketTradingHarness.YesToken, CancellationToken.None)).Count);
        Assert.Equal([responses[0].OrderId!], (await client.CancelOrderAsync(responses[0].OrderId!, CancellationToken.None)).Canceled);
        var many = await client.CancelOrdersAsync([responses[1].OrderId!, responses[2].OrderId!, responses[0].OrderId!], CancellationToken.None);
        Assert.Equal(2, many.Canceled!.Count);
        Assert.True(many.NotCanceled!.ContainsKey(responses[0].OrderId!));
        Assert.Equal(2, (await client.CancelAllAsync(CancellationToken.None)).Canceled!.Count);
        Assert.Empty(await client.GetOpenOrdersAsync(null, null, CancellationToken.None));
        Assert.Equal(0, state.SignatureRejected);
        Assert.Null(await client.GetOrderAsync("0x" + new string('9', 64), CancellationToken.None));
    }

    [Fact]
    public async Task Order_types_that_cannot_be_valid_are_refused_before_sending()
    {
        var options = new PolymarketTradingOptions();
        var key = PolymarketPrivateKey.FromHex(FakePolymarketExchangeState.PrivateKeyHex);
        var client = new PolymarketClobTradingClient(new HttpClient(), options, key, null, TimeProvider.System);
        var order = PolymarketOrderFactory.FromOptions(options, key, TimeProvider.System).CreateLimitOrder(PolymarketExchangeVersion.V2, "1", Side.Buy, 0.5m, 10m, TickSize.Cent, false);

        await Assert.ThrowsAsync<ArgumentException>(() => client.PostOrderAsync(new PolymarketOrderPost(order, PolymarketOrderType.Gtd), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PostOrderAsync(new PolymarketOrderPost(order, PolymarketOrderType.Fok, PostOnly: true), CancellationToken.None));
        await Assert.ThrowsAsync<PolymarketCredentialException>(() => client.PostOrderAsync(new PolymarketOrderPost(order, PolymarketOrderType.Gtc), CancellationToken.None));
    }
}
