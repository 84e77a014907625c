using Relayguard.Gateway;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Help;
using Relayguard.Gateway.Host;
using Relayguard.ServiceDefaults;

// The SMTP gateway as a process of its own: accepts mail, relays it, publishes its events from the local outbox,
// and enforces the blocks it receives on a queue of its own. It keeps serving while the broker is down.
var builder = ServiceHost.CreateBuilder(args, "relayguard-gateway");

builder.AddSqliteStore();
var instanceId = GatewayInstance.ResolveId(builder.Configuration[GatewayInstance.InstanceIdKey], builder.Configuration["Data:Directory"]!);
var queueExpiry = builder.Configuration.GetValue(GatewayInstance.QueueExpiryKey, GatewayInstance.DefaultQueueExpiry);
builder.Services.AddKnownKeys(GatewayInstance.InstanceIdKey, GatewayInstance.QueueExpiryKey);
builder.Services.AddGateway(builder.Configuration);

// The check for listen addresses in use reads the configuration, so the SMTP listener's default goes there too.
var smtpListenKey = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Listen)}";
builder.Configuration[smtpListenKey] ??= new GatewayOptions().Listen;
builder.Services.AddHelpListener(builder.Configuration);
builder.Services.AddOptions<CatchUpOptions>().BindSection(builder.Configuration, CatchUpOptions.SectionName).ValidateOnStart();
builder.Services.AddSingleton<BlockCatchUpService>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<BlockCatchUpService>());
builder.Services.AddRelayguardBus(
    builder.Configuration,
    bus => bus.AddGatewayInstanceConsumers(GatewayInstance.QueueName(instanceId), queueExpiry),
    busDecidesReadiness: false);

// Two gateways on one data folder would publish one outbox twice and share one block queue.
var (dataLock, lockProblem, lockExitCode) = DataDirectoryLock.Acquire(
    builder.Configuration["Data:Directory"]!,
    "Data:Directory",
    "another gateway",
    "Stop it, or give this one a folder of its own.");
using var heldLock = dataLock;
if (lockProblem is not null)
{
    await Console.Error.WriteLineAsync($"relayguard-gateway: {lockProblem}");
    return lockExitCode;
}

return await ServiceHost.RunAsync(builder, "relayguard-gateway", app =>
{
    app.MapHelpPages();
    app.Logger.LogInformation("Gateway instance {InstanceId} receives block events on queue {Queue}.", instanceId, GatewayInstance.QueueName(instanceId));
});
