using Relayguard.Gateway.Identity;

namespace Relayguard.Gateway.Tests.Identity;

public sealed class DovecotEndpointTests
{
    [Fact]
    public void Parse_HostAndPort()
    {
        Assert.True(DovecotEndpoint.TryParse("dovecot:127.0.0.1:12345", out var endpoint, out _));
        Assert.Equal("127.0.0.1", endpoint!.Host);
        Assert.Equal(12345, endpoint.Port);
    }

    [Fact]
    public void Parse_SocketPath()
    {
        Assert.True(DovecotEndpoint.TryParse("dovecot:/run/dovecot/auth-client", out var endpoint, out _));
        Assert.Equal("/run/dovecot/auth-client", endpoint!.SocketPath);
    }

    [Theory]
    [InlineData("dovecot:")]
    [InlineData("dovecot:127.0.0.1")]
    [InlineData("ldap:127.0.0.1:389")]
    public void Parse_Invalid_Fails(string provider)
    {
        Assert.False(DovecotEndpoint.TryParse(provider, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("local", true)]
    [InlineData("dovecot:127.0.0.1:12345", true)]
    [InlineData("ldap", false)]
    public void Validator_Provider_Checked(string provider, bool valid)
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { Provider = provider });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Auth:Provider", result.FailureMessage);
        }
    }
}
