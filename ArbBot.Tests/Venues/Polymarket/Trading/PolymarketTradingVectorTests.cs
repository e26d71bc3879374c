using System.Numerics;
using System.Text.Json.Nodes;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Polymarket.Trading;

/// <summary>The vectors of shared/venues the signing tests did not cover yet: POLY_1271 and the exact POST /order bodies.</summary>
public sealed class PolymarketTradingVectorTests
{
    private const string PrivateKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string V2Token = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
    private static readonly PolymarketAddress Account = PolymarketAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static readonly PolymarketAddress DepositWallet = PolymarketAddress.Parse("0x1111111111111111111111111111111111111111");

    // polymarket-order-vectors.json v2.poly_1271_deposit_wallet: py-clob-client-v2 (Amoy) and nautilus (Polygon, both exchanges), verbatim.
    private const string OrderTypeTail = "4f726465722875696e743235362073616c742c61646472657373206d616b65722c61646472657373207369676e65722c75696e7432353620746f6b656e49642c75696e74323536206d616b6572416d6f756e742c75696e743235362074616b6572416d6f756e742c75696e743820736964652c75696e7438207369676e6174757265547970652c75696e743235362074696d657374616d702c62797465733332206d657461646174612c62797465733332206275696c6465722900ba";

    [Theory]
    [InlineData(80002L, false, "479249096354", "1234", "1710000000000", null, "0xa3a093c83b6c20c83355c16ce94c92e6e9fcbdeb840618cc74f6c57a42ad145b2b98db73d2c73cbf1f2b6af288566ae81960ddbc3a13921027358a8bff3be6ff1ca440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148d23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd83804")]
    [InlineData(137L, false, "333333333", V2Token, "1713398400000", "0x48cfd4c03dcee72230750e2dc5ea71048e91244c2a9fec2ed6ef790a74869596", "0x780beffb568c4510b8a135a92ca8071f124cf368fb0e902fe451c5f51e5557910a2a87968caa08a242de85e83c27375fc09242e897aa77680f56622a54e6e7c61c3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2d3db4f9eed41f0490532a9460395d96602c6534a931bde4f0e3aad571e4f84a0")]
    [InlineData(137L, true, "333333333", V2Token, "1713398400000", "0x82b94b9d570fdd7b07f517ea848606a9b74029f2387fbf07d8b9c856d652e608", "0xa411986b67c58113f8787ee54c41def9376d57ef4262b56438438710720604b700137e0175d7ae6afc40c2988179ad84b1b71a739f0974c8df3c12372f31b22c1c9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81ad3db4f9eed41f0490532a9460395d96602c6534a931bde4f0e3aad571e4f84a0")]
    public void Poly_1271_signature_matches_the_vector(long chainId, bool negRisk, string salt, string tokenId, string timestamp, string? orderDigest, string signaturePrefix)
    {
        var order = new PolymarketOrderV2(BigInteger.Parse(salt), DepositWallet, DepositWallet, BigInteger.Parse(tokenId), 100000000, 50000000, Side.Buy,
            PolymarketSignatureType.Poly1271, BigInteger.Parse(timestamp), PolymarketBytes32.Zero, PolymarketBytes32.Zero);
        var signed = new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), chainId).SignPoly1271(order, negRisk);

        if (orderDigest is not null) Assert.Equal(orderDigest, PolymarketHex.Encode(signed.Digest));
        Assert.Equal(signaturePrefix + OrderTypeTail, signed.SignatureHex);
    }

    [Fact]
    public void Poly_1271_refuses_an_order_whose_maker_is_not_its_signer()
    {
        var order = new PolymarketOrderV2(1, Account, DepositWallet, 1, 1, 1, Side.Buy, PolymarketSignatureType.Poly1271, 1, PolymarketBytes32.Zero, PolymarketBytes32.Zero);
        Assert.Throws<ArgumentException>(() => new PolymarketOrderSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137).SignPoly1271(order, false));
    }

    // polymarket-post-order-bodies.json: the V2 body (vector v2_buy_standard_eoa) and the V1 body (v1_amoy_ctf), byte for byte.
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Post_order_body_is_byte_identical_to_the_official_shape(int version)
    {
        var expected = version == 2
            ? """{"order":{"salt":123456789,"maker":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","signer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","tokenId":"71321045679252212594626385532706912750332728571942532289631379312455583992563","makerAmount":"100000000","takerAmount":"50000000","side":"BUY","expiration":"0","signatureType":0,"timestamp":"1713398400000","metadata":"0x0000000000000000000000000000000000000000000000000000000000000000","builder":"0x0000000000000000000000000000000000000000000000000000000000000000","signature":"0x89f178136333c8ebb32a19146cb891233e3202d474be6ef730c24dbc06ae4d2a0c99948a86d9b57de0f2c0bb8ec6964aa244ecf17cfa3a95b86878d0b64ad78a1b"},"owner":"00000000-0000-0000-0000-000000000000","orderType":"GTC","deferExec":false,"postOnly":false}"""
            : """{"order":{"salt":479249096354,"maker":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","signer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","taker":"0x0000000000000000000000000000000000000000","tokenId":"1234","makerAmount":"100000000","takerAmount":"50000000","expiration":"0","nonce":"0","feeRateBps":"100","side":"BUY","signatureType":0,"signature":"0x302cd9abd0b5fcaa202a344437ec0b6660da984e24ae9ad915a592a90facf5a51bb8a873cd8d270f070217fea1986531d5eec66f1162a81f66e026db653bf7ce1c"},"owner":"00000000-0000-0000-0000-000000000000","orderType":"GTC","postOnly":false}""";
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        PolymarketSignedOrderPayload payload;
        if (version == 2)
        {
            var order = new PolymarketOrderV2(123456789, Account, Account, BigInteger.Parse(V2Token), 100000000, 50000000, Side.Buy, PolymarketSignatureType.Eoa, 1713398400000, PolymarketBytes32.Zero, PolymarketBytes32.Zero);
            var signed = new PolymarketOrderSigner(key, 137).Sign(order, negRisk: false);
            payload = new PolymarketSignedOrderPayload(PolymarketExchangeVersion.V2, 123456789, Account, Account, V2Token, 100000000, 50000000, Side.Buy, 0,
                PolymarketSignatureType.Eoa, signed.Signature.ToString(), PolymarketHex.Encode(signed.Digest), 1713398400000, PolymarketBytes32.Zero, PolymarketBytes32.Zero);
        }
        else
        {
            var order = new PolymarketOrderV1(479249096354, Account, Account, PolymarketAddress.Zero, 1234, 100000000, 50000000, 0, 0, 100, Side.Buy, PolymarketSignatureType.Eoa);
            var signed = new PolymarketOrderSigner(key, 80002).Sign(order, negRisk: false);
            payload = new PolymarketSignedOrderPayload(PolymarketExchangeVersion.V1, 479249096354, Account, Account, "1234", 100000000, 50000000, Side.Buy, 0,
                PolymarketSignatureType.Eoa, signed.Signature.ToString(), PolymarketHex.Encode(signed.Digest), Taker: PolymarketAddress.Zero, Nonce: 0, FeeRateBps: 100);
        }
        var client = new PolymarketClobTradingClient(new HttpClient(), new PolymarketTradingOptions(), key,
            new PolymarketApiCredentials("00000000-0000-0000-0000-000000000000", new PolymarketSecret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), new PolymarketSecret("p")), TimeProvider.System);

        Assert.Equal(expected, client.OrderBody(new PolymarketOrderPost(payload, PolymarketOrderType.Gtc)));
    }

    [Theory]
    [InlineData(PolymarketSignatureType.Eoa, false)]
    [InlineData(PolymarketSignatureType.Eoa, true)]
    [InlineData(PolymarketSignatureType.PolyProxy, false)]
    [InlineData(PolymarketSignatureType.PolyGnosisSafe, true)]
    [InlineData(PolymarketSignatureType.Poly1271, true)]
    public void Factory_orders_carry_the_official_amounts_and_recover_to_the_signer_on_the_markets_exchange(PolymarketSignatureType type, bool negRisk)
    {
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        var funder = type == PolymarketSignatureType.Eoa ? key.Address : DepositWallet;
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1713398400000));
        var factory = new PolymarketOrderFactory(key, 137, type, funder, time, new Random(7));

        var payload = factory.CreateLimitOrder(PolymarketExchangeVersion.V2, V2Token, Side.Buy, 0.56m, 21.04m, TickSize.Cent, negRisk);

        Assert.Equal((11782400L, 21040000L), (payload.MakerAmount, payload.TakerAmount));
        Assert.Equal(funder, payload.Maker);
        Assert.InRange(payload.Salt, 0, (1L << 53) - 1);
        Assert.Equal(1713398400000, payload.TimestampMs);
        var order = new PolymarketOrderV2(payload.Salt, payload.Maker, payload.Signer, BigInteger.Parse(V2Token), payload.MakerAmount, payload.TakerAmount, Side.Buy, type,
            payload.TimestampMs!.Value, PolymarketBytes32.Zero, PolymarketBytes32.Zero);
        var signer = new PolymarketOrderSigner(key, 137);
        Assert.Equal(PolymarketHex.Encode(signer.Digest(order, negRisk)), payload.OrderId);
        Assert.NotEqual(PolymarketHex.Encode(signer.Digest(order, !negRisk)), payload.OrderId);
        if (type != PolymarketSignatureType.Poly1271)
        {
            Assert.True(PolymarketSignature.Parse(payload.Signature).TryRecoverAddress(signer.Digest(order, negRisk), out var recovered));
            Assert.Equal(key.Address, recovered);
        }
        else
        {
            Assert.Equal(signer.SignPoly1271(order, negRisk).SignatureHex, payload.Signature);
        }
    }

    [Fact]
    public void Body_json_shape_matches_the_captured_signed_order_fields()
    {
        // polymarket-http_signed_order.synthetic.json lists the V2 order fields; the factory's JSON has exactly those, in that set.
        var factory = new PolymarketOrderFactory(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137, PolymarketSignatureType.Eoa, Account, TimeProvider.System);
        var payload = factory.CreateLimitOrder(PolymarketExchangeVersion.V2, V2Token, Side.Sell, 0.5m, 10m, TickSize.Cent, false);
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream)) payload.WriteJson(writer);
        var json = JsonNode.Parse(stream.ToArray())!.AsObject();
        Assert.Equal(["salt", "maker", "signer", "tokenId", "makerAmount", "takerAmount", "side", "expiration", "signatureType", "timestamp", "metadata", "builder", "signature"], json.Select(p => p.Key));
        Assert.Equal("SELL", json["side"]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, json["salt"]!.GetValueKind());
    }
}
