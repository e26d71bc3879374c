using System.Numerics;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketOrderSignerTests
{
    // Hardhat account #0: publicly known, used by every Polymarket SDK test suite.
    private const string PrivateKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static readonly PolymarketAddress Account = PolymarketAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static readonly BigInteger V2TokenId = BigInteger.Parse("71321045679252212594626385532706912750332728571942532289631379312455583992563");

    [Fact]
    public void Private_key_derives_the_known_address()
    {
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", PolymarketPrivateKey.FromHex(PrivateKeyHex).Address.ToString());
    }

    [Fact]
    public void Private_key_never_shows_itself()
    {
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        Assert.Equal("***", key.ToString());
        Assert.DoesNotContain("ac0974", $"{key}", StringComparison.OrdinalIgnoreCase);
        var error = Assert.Throws<FormatException>(() => PolymarketPrivateKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffzz"));
        Assert.DoesNotContain("ac0974", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Order_type_hashes_match_the_documented_values()
    {
        Assert.Equal("0xa852566c4e14d00869b6db0220888a9090a13eccdaea03713ff0a3d27bf9767c", PolymarketHex.Encode(PolymarketOrderV1.Type.TypeHash));
        Assert.Equal("0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589", PolymarketHex.Encode(PolymarketOrderV2.Type.TypeHash));
    }

    // Every V1 vector of shared/venues/polymarket-order-vectors.json: chain, neg-risk, domainSeparator, digest, signature.
    // Amoy ones are verbatim from python-order-utils / go-order-utils / clob-order-utils; Polygon ones computed with ethers.
    [Theory]
    [InlineData(80002L, false, "0x44b180a7e548e2d916b5410176db13a07744966f9b6c93c4bccdabebbcdfca93", "0x02ca1d1aa31103804173ad1acd70066cb6c1258a4be6dada055111f9a7ea4e55", "0x302cd9abd0b5fcaa202a344437ec0b6660da984e24ae9ad915a592a90facf5a51bb8a873cd8d270f070217fea1986531d5eec66f1162a81f66e026db653bf7ce1c")]
    [InlineData(80002L, true, "0x9fa10822e4b86fd1eed68ea1c2628e0ee9a6c523cb2570592768432cfdb09bf1", "0xf15790d3edc4b5aed427b0b543a9206fcf4b1a13dfed016d33bfb313076263b8", "0x1b3646ef347e5bd144c65bd3357ba19c12c12abaeedae733cf8579bc51a2752c0454c3bc6b236957e393637982c769b8dc0706c0f5c399983d933850afd1cbcd1c")]
    [InlineData(137L, false, "0x1a573e3617c78403b5b4b892827992f027b03d4eaf570048b8ee8cdd84d151be", "0x46c2dec73dae47e86b5d589c084e6c54858d8f988db390421c8ec3a361fb78a2", "0x6435b08e46470f66939b330ab21e67f599857708cfbcc084d60738369f53b813595926e177af917b73378f6b3c6ee854ff18037a26f2869b98a483089f60bea71b")]
    [InlineData(137L, true, "0x82cb6aa85babb812f4b521a12b10f0cbc68d2b44be7bc02c047004f544adb49f", "0xd9a5ac502d5ebb63a3afdcaf8ecd0fd85d49c7b6d05589fa35f0bff0fc5c86a3", "0x79e74485db6836e1c55d5fadf951021011cae6a49b4bf298781dd8942099774e26e91ac7f61d310f78ec0960e06a38ce898b078dd844cf3038da7a7061fafedb1c")]
    public void V1_order_digest_and_signature_match_the_vector(long chainId, bool negRisk, string domainSeparator, string digest, string signature)
    {
        var order = new PolymarketOrderV1(479249096354, Account, Account, PolymarketAddress.Zero, 1234, 100000000, 50000000, 0, 0, 100, Side.Buy, PolymarketSignatureType.Eoa);
        var signer = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), chainId);

        Assert.Equal("0x26eb80b08612a9945a9a2af3af152f3bcdccd154f9708a68d2f261f44b66a11d", PolymarketHex.Encode(order.StructHash()));
        Assert.Equal(domainSeparator, PolymarketHex.Encode(PolymarketExchange.Domain(chainId, PolymarketExchangeVersion.V1, negRisk).Separator()));
        var signed = signer.Sign(order, negRisk);
        Assert.Equal(digest, PolymarketHex.Encode(signed.Digest));
        Assert.Equal(signature, signed.Signature.ToString());
    }

    // The V2 vector (nautilus_trader, generated with py_clob_client_v2 1.0.0), chain 137, normal exchange.
    [Fact]
    public void V2_order_digest_and_signature_match_the_vector()
    {
        var order = V2Order(Side.Buy, PolymarketSignatureType.Eoa, PolymarketBytes32.Zero);
        var signer = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137);

        Assert.Equal("0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2", PolymarketHex.Encode(PolymarketExchange.Domain(137, PolymarketExchangeVersion.V2, negRisk: false).Separator()));
        Assert.Equal("0xb90cd5fd7127bafc0ad257103b8ef1cf3fd285bdd74ad9e2d6ddc7c9c1bf152a", PolymarketHex.Encode(order.StructHash()));
        var signed = signer.Sign(order, negRisk: false);
        Assert.Equal("0x32961c48ddac87ed3582f8e02097cd0eff4fcf80460306bd44b3710438dfa64c", PolymarketHex.Encode(signed.Digest));
        Assert.Equal("0x89f178136333c8ebb32a19146cb891233e3202d474be6ef730c24dbc06ae4d2a0c99948a86d9b57de0f2c0bb8ec6964aa244ecf17cfa3a95b86878d0b64ad78a1b", signed.Signature.ToString());
    }

    [Fact]
    public void V2_sell_on_the_neg_risk_exchange_signs_a_different_digest_that_recovers_to_the_signer()
    {
        var signer = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137);
        var sell = V2Order(Side.Sell, PolymarketSignatureType.Eoa, PolymarketBytes32.Zero);

        var normal = signer.Sign(sell, negRisk: false);
        var negRisk = signer.Sign(sell, negRisk: true);

        Assert.NotEqual(normal.Digest, negRisk.Digest);
        Assert.NotEqual(PolymarketHex.Encode(signer.Digest(V2Order(Side.Buy, PolymarketSignatureType.Eoa, PolymarketBytes32.Zero), negRisk: true)), PolymarketHex.Encode(negRisk.Digest));
        Assert.True(negRisk.Signature.TryRecoverAddress(negRisk.Digest, out var recovered));
        Assert.Equal(Account, recovered);
        Assert.True(negRisk.Signature.V is 27 or 28);
    }

    [Theory]
    [InlineData(PolymarketSignatureType.PolyProxy)]
    [InlineData(PolymarketSignatureType.PolyGnosisSafe)]
    public void Proxy_and_safe_orders_with_a_builder_code_sign_recoverably_and_change_the_digest(PolymarketSignatureType type)
    {
        var signer = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137);
        var builder = PolymarketBytes32.Parse("0x" + new string('1', 64));
        var eoa = signer.Digest(V2Order(Side.Buy, PolymarketSignatureType.Eoa, PolymarketBytes32.Zero), negRisk: false);
        var order = V2Order(Side.Buy, type, builder) with { Maker = PolymarketAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8") };

        var signed = signer.Sign(order, negRisk: false);

        Assert.NotEqual(eoa, signed.Digest);
        Assert.True(signed.Signature.TryRecoverAddress(signed.Digest, out var recovered));
        Assert.Equal(Account, recovered);
    }

    [Fact]
    public void Signature_with_the_other_recovery_id_does_not_recover_the_signer()
    {
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        var digest = PolymarketKeccak.Hash("tamper");
        var signature = key.Sign(digest).ToString();
        var flipped = PolymarketSignature.Parse(signature[..^2] + (signature.EndsWith("1b", StringComparison.Ordinal) ? "1c" : "1b"));

        Assert.True(PolymarketSignature.Parse(signature).TryRecoverAddress(digest, out var original));
        Assert.Equal(Account, original);
        Assert.False(flipped.TryRecoverAddress(digest, out var other) && other == Account);
    }

    [Fact]
    public void Signatures_are_low_s()
    {
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        var halfOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", System.Globalization.NumberStyles.HexNumber) / 2;
        for (var i = 0; i < 40; i++)
        {
            var signature = key.Sign(PolymarketKeccak.Hash(BitConverter.GetBytes(i)));
            var s = new BigInteger(signature.Bytes.Slice(32, 32), isUnsigned: true, isBigEndian: true);
            Assert.True(s <= halfOrder, $"s of signature {i} is high");
        }
    }

    [Fact]
    public void Signer_refuses_an_order_signed_for_someone_else()
    {
        var signer = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137);
        var other = PolymarketAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        Assert.Throws<ArgumentException>(() => signer.Sign(V2Order(Side.Buy, PolymarketSignatureType.Eoa, PolymarketBytes32.Zero) with { Signer = other }, negRisk: false));
    }

    [Theory]
    [InlineData(80002L, "0x029ca49b")]
    [InlineData(137L, "0x0ba60c2a")]
    public void Domain_separator_with_a_zero_contract_matches_go_order_utils(long chainId, string prefix)
    {
        var domain = new PolymarketEip712Domain(PolymarketExchange.DomainName, "1", chainId, PolymarketAddress.Zero);
        Assert.StartsWith(prefix, PolymarketHex.Encode(domain.Separator()), StringComparison.Ordinal);
    }

    [Fact]
    public void Address_with_a_broken_checksum_is_refused()
    {
        Assert.Throws<FormatException>(() => PolymarketAddress.Parse("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        Assert.Equal(Account, PolymarketAddress.Parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
    }

    [Fact]
    public void Eip712_refuses_values_that_do_not_fit_their_type()
    {
        var type = new PolymarketEip712Type("T", [new("uint8", "x")]);
        Assert.Throws<ArgumentOutOfRangeException>(() => PolymarketEip712.HashStruct(type, [new BigInteger(256)]));
        Assert.Throws<ArgumentException>(() => PolymarketEip712.HashStruct(type, ["1"]));
        Assert.Throws<NotSupportedException>(() => new PolymarketEip712Type("T", [new("Other", "x")]));
    }

    private static PolymarketOrderV2 V2Order(Side side, PolymarketSignatureType type, PolymarketBytes32 builder) =>
        new(123456789, Account, Account, V2TokenId, 100000000, 50000000, side, type, 1713398400000, PolymarketBytes32.Zero, builder);
}
