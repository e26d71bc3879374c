using System.Net.Http.Headers;
using ArbBot.Engine.Venues.Transport;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Transport;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_allows_its_burst_then_says_how_long_until_the_next_token()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(tokensPerSecond: 10, capacity: 3, time);

        for (var i = 0; i < 3; i++) Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out var wait));

        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);
    }

    [Fact]
    public void Tokens_refill_at_the_rate_and_never_beyond_the_capacity()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(tokensPerSecond: 10, capacity: 2, time);
        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out _));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out _));
    }
}

public sealed class RetryDelaysTests
{
    [Fact]
    public void Backoff_grows_with_attempts_within_jittered_bounds_and_is_capped()
    {
        var delays = new RetryDelays(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(3));

        for (var attempt = 0; attempt < 8; attempt++)
        {
            var bound = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 1000));
            var d = delays.Next(attempt);
            Assert.InRange(d, TimeSpan.FromMilliseconds(10), bound);
        }
    }

    [Fact]
    public void A_retry_after_from_the_server_is_waited_at_least()
    {
        var delays = new RetryDelays(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(3));
        var now = DateTimeOffset.UnixEpoch;

        var after = RetryDelays.RetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)), now);
        var dated = RetryDelays.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(5)), now);

        Assert.Equal(TimeSpan.FromSeconds(2), after);
        Assert.Equal(TimeSpan.FromSeconds(5), dated);
        Assert.InRange(delays.Next(0, after), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.1));
        Assert.Null(RetryDelays.RetryAfter(null, now));
    }
}
