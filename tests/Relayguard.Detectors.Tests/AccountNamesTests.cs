using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class AccountNamesTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("ALICE", "alice")]
    [InlineData("  Alice ", "alice")]
    [InlineData("Jörg.Müller", "jörg.müller")]
    [InlineData("ÉMILE", "Émile")]
    [InlineData("alice/198.51.100.7", "alice/198.51.100.7")]
    public void Canonical_AnySpelling_TrimmedLowerCase(string name, string expected)
    {
        Assert.Equal(expected, AccountNames.Canonical(name));
    }

    [Fact]
    public void Canonical_AlreadyCanonical_SameInstance()
    {
        var name = "bob";

        Assert.Same(name, AccountNames.Canonical(name));
    }
}
