using System.Net;
using System.Net.Http.Json;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>Block events reach every gateway instance, and a gateway remembers its blocks without the operations service.</summary>
[Collection(DistributedCollection.Name)]
public sealed class GatewayInstanceTests(BrokerFixture fixture)
{
    private const string Password = "customer-password";

    [Fact]
    public async Task Block_ReachesBothGateways()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var operations = deployment.Operations();
        await deployment.StartAsync(operations);
        var first = deployment.Gateway("gw-a", sink.Endpoint);
        var second = deployment.Gateway("gw-b", sink.Endpoint);
        Deployment.AddAccount(first, "alice", Password);
        Deployment.AddAccount(second, "alice", Password);
        await deployment.StartAsync(first);
        await deployment.StartAsync(second);
        Assert.StartsWith("250", await MailFromAsync(first));
        Assert.StartsWith("250", await MailFromAsync(second));

        await BlockAccountAsync(operations, "alice");

        await Wait.UntilAsync(async () => (await MailFromAsync(first)).StartsWith("550", StringComparison.Ordinal), "gateway A to refuse alice");
        await Wait.UntilAsync(async () => (await MailFromAsync(second)).StartsWith("550", StringComparison.Ordinal), "gateway B to refuse alice");
        Assert.Contains("(OP1)", await MailFromAsync(first), StringComparison.Ordinal);
        Assert.Contains("(OP1)", await MailFromAsync(second), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_WithOperationsDown_KeepsBlock()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var operations = deployment.Operations();
        var opsProcess = await deployment.StartAsync(operations);
        var gateway = deployment.Gateway("gw-a", sink.Endpoint);
        Deployment.AddAccount(gateway, "alice", Password);
        var gatewayProcess = await deployment.StartAsync(gateway);
        await BlockAccountAsync(operations, "alice");
        await Wait.UntilAsync(async () => (await MailFromAsync(gateway)).StartsWith("550", StringComparison.Ordinal), "the gateway to refuse alice");

        await gatewayProcess.StopAsync();
        await opsProcess.StopAsync();
        await deployment.StartAsync(gateway);

        Assert.StartsWith("550 5.7.1 Sending is blocked by the provider (OP1).", await MailFromAsync(gateway));
    }

    [Fact]
    public async Task NewGateway_CatchesUpFromOperations()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var operations = deployment.Operations();
        await deployment.StartAsync(operations);
        await BlockAccountAsync(operations, "alice");

        // This instance's queue did not exist when the block was published, so only the catch-up can bring it.
        var gateway = deployment.Gateway("gw-late", sink.Endpoint);
        Deployment.AddAccount(gateway, "alice", Password);
        var gatewayProcess = await deployment.StartAsync(gateway);

        await Wait.UntilAsync(async () => (await MailFromAsync(gateway)).StartsWith("550", StringComparison.Ordinal), "the new gateway to refuse alice");
        Assert.Contains("(OP1)", await MailFromAsync(gateway), StringComparison.Ordinal);

        // The first request went out before the bus had started the endpoint its response comes back to, timed out,
        // and left the block unknown until the retry.
        Assert.DoesNotContain("BlockCatchUpService[1702]", gatewayProcess.RecentOutput, StringComparison.Ordinal);
    }

    private static async Task BlockAccountAsync(ServiceSpec operations, string account)
    {
        using var client = Deployment.OperationsClient(operations);
        var response = await client.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = account, reason = "abuse report 4711" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<string> MailFromAsync(ServiceSpec gateway)
    {
        using var client = await SmtpTestClient.ConnectAsync(gateway.SmtpPort);
        Assert.StartsWith("235", await client.LoginAsync("alice", Password));
        return await client.CommandAsync("MAIL FROM:<alice@customer.test>");
    }
}
