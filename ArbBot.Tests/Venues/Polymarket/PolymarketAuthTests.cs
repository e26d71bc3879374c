using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketAuthTests
{
    private const string PrivateKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string Secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    [Fact]
    public void Clob_auth_type_hash_matches_the_documented_value()
    {
        Assert.Equal("0x52578c5c725a28a84fedc8c22aa47947822942f35b4dc350db028e45320e035c", PolymarketHex.Encode(PolymarketClobAuth.Type.TypeHash));
    }

    // Every clob_auth vector of shared/venues/polymarket-auth-vectors.json (the first two verbatim from
    // py-clob-client / clob-client / rs-clob-client, the third computed with ethers).
    [Theory]
    [InlineData(80002L, 10000000L, 23, "0xa1df8f4e3112eaee2448fbec9ab79f68278407e49d9cf52e3dd3d9692fcac9b6", "0x8f442df8073c9cf2e36d7b20ca9d64d1a9352e982cc82a293b7de2df57920610", "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b")]
    [InlineData(137L, 100000L, 0, "0xcfc66be2a3b30464cb3b588324101f660c9a205fa76e8e5f83ee16a528e1c4cb", "0x49b2a2283c0ac60de47fce5c2c36a647b7efb65ee9dc135cd30a4117992b0e6a", "0xfdfb5abf512e439ea61c8595c18e527e718bf16010acf57cef51d09e15893098275d3c6f73038f36ec0cd0ce55436fca14dc64b11611f4dce896e354207508cc1b")]
    [InlineData(137L, 10000000L, 23, "0xcfc66be2a3b30464cb3b588324101f660c9a205fa76e8e5f83ee16a528e1c4cb", "0x577908bf2b712def8592d5078487f59ab9aa28b656e6fda011c8ac4333792037", "0x1a7118db6100dfd8efd102be36f472b59475dcac56eb4c9a2a94748d3655ba7c3c89deb8c19ee79eceb0a531122fbfbe88ed118034f9d8212e2b725e7b296b9d1c")]
    public void Clob_auth_signature_matches_the_vector(long chainId, long timestamp, int nonce, string domainSeparator, string digest, string signature)
    {
        var key = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        Assert.Equal(domainSeparator, PolymarketHex.Encode(PolymarketClobAuth.Domain(chainId).Separator()));
        Assert.Equal(digest, PolymarketHex.Encode(PolymarketClobAuth.Digest(chainId, key.Address, timestamp, nonce)));
        Assert.Equal(signature, PolymarketClobAuth.Sign(key, chainId, timestamp, nonce).ToString());
    }

    [Fact]
    public void L1_headers_match_rs_clob_client()
    {
        var headers = new PolymarketRequestSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 80002).L1Headers(10000000, 23);
        Assert.Equal(new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            ["POLY_NONCE"] = "23",
            ["POLY_TIMESTAMP"] = "10000000",
            ["POLY_SIGNATURE"] = "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b",
        }, headers);
    }

    // Every hmac vector of shared/venues/polymarket-auth-vectors.json.
    [Theory]
    [InlineData(Secret, "1000000", "test-sign", "/orders", "{\"hash\": \"0x123\"}", "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=")]
    [InlineData(Secret, "1000000", "test-sign", "/orders", "{\"hash\":\"0x123\"}", "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM=")]
    [InlineData(Secret, "1", "GET", "/", "", "eHaylCwqRSOa2LFD77Nt_SaTpbsxzN8eTEI3LryhEj4=")]
    [InlineData("++/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "1000000", "test-sign", "/orders", "{\"hash\": \"0x123\"}", "HNo0ctLa8EfeOxYf0wiNci4JqCwLiVWsubxySKwD1cs=")]
    [InlineData("--_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "1000000", "test-sign", "/orders", "{\"hash\": \"0x123\"}", "HNo0ctLa8EfeOxYf0wiNci4JqCwLiVWsubxySKwD1cs=")]
    public void Hmac_matches_the_vector(string secret, string timestamp, string method, string path, string body, string expected)
    {
        Assert.Equal(expected, PolymarketRequestSigner.Hmac(new PolymarketSecret(secret), timestamp, method, path, body));
    }

    [Fact]
    public void L2_headers_match_rs_clob_client()
    {
        var credentials = new PolymarketApiCredentials("00000000-0000-0000-0000-000000000000", new PolymarketSecret(Secret), new PolymarketSecret(new string('a', 64)));
        var headers = new PolymarketRequestSigner(PolymarketPrivateKey.FromHex(PrivateKeyHex), 137).L2Headers(credentials, 1, "GET", "/", null);
        Assert.Equal(new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            ["POLY_API_KEY"] = "00000000-0000-0000-0000-000000000000",
            ["POLY_PASSPHRASE"] = new string('a', 64),
            ["POLY_TIMESTAMP"] = "1",
            ["POLY_SIGNATURE"] = "eHaylCwqRSOa2LFD77Nt_SaTpbsxzN8eTEI3LryhEj4=",
        }, headers);
    }

    [Fact]
    public void Credentials_never_show_their_secrets()
    {
        var credentials = new PolymarketApiCredentials("key-1", new PolymarketSecret(Secret), new PolymarketSecret("my-passphrase"));
        var text = credentials.ToString();
        Assert.Contains("***", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("my-passphrase", text, StringComparison.Ordinal);
        var error = Assert.Throws<FormatException>(() => PolymarketRequestSigner.Hmac(new PolymarketSecret("not base64 !!"), "1", "GET", "/", null));
        Assert.DoesNotContain("not base64 !!", error.Message, StringComparison.Ordinal);
    }
}
