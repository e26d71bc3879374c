using ArbBot.Engine.Core;
using ArbBot.Engine.Venues;

namespace ArbBot.Tests.Execution;

/// <summary>
/// A fee rule simple enough to check by hand: contracts × the market's taker or maker rate. The real venue fee models
/// live with their venues; this one only proves the gateway passes the right terms, price, size and liquidity.
/// </summary>
public sealed class FlatRateFeeModel : IFeeModel
{
    public decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity) =>
        contracts * (liquidity == Liquidity.Taker ? parameters.TakerRate : parameters.MakerRate);
}
