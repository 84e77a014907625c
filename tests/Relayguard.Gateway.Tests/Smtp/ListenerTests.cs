using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class ListenerTests
{
    [Fact]
    public async Task SecondListener_SamePort_FailsNamingAddress()
    {
        await using var first = TestSmtpServer.Start();
        var spool = Directory.CreateTempSubdirectory("relayguard-spool-").FullName;
        var options = new SmtpListenerOptions
        {
            Name = "second",
            EndPoint = first.EndPoint,
            HostName = "gateway.test",
            Limits = new SmtpLimits(),
        };
        var second = new SmtpListener(options, new StubSessionHandler(), spool, new SessionCounter(10), NullLogger.Instance);
        try
        {
            var exception = Assert.Throws<IOException>(second.Start);

            Assert.Contains($"'second' cannot listen on {first.EndPoint}", exception.Message, StringComparison.Ordinal);
            Assert.Contains("already in use", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            await second.StopAsync(TimeSpan.Zero);
            Directory.Delete(spool, recursive: true);
        }
    }
}
