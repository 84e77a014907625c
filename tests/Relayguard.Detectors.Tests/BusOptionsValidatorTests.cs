using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

/// <summary>What an operator reads for a wrong <c>Bus:RabbitMq</c>: the fix, never the password in the value.</summary>
public sealed class BusOptionsValidatorTests
{
    [Fact]
    public void HttpScheme_NamesSchemeAndFix()
    {
        var result = new BusOptionsValidator().Validate(null, new BusOptions { RabbitMq = "http://relayguard:S3cret@broker:15672/" });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Bus:RabbitMq has the scheme 'http': use amqp://", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAnAddress_DoesNotRepeatValue()
    {
        var result = new BusOptionsValidator().Validate(null, new BusOptions { RabbitMq = "relayguard:S3cret" });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Bus:RabbitMq is not a valid broker address", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", failure, StringComparison.Ordinal);
    }
}
