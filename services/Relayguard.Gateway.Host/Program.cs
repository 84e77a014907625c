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
builder.Services.AddHelpListener(builder.Configuration);
builder.Services.AddOptions<CatchUpOptions>().BindSection(builder.Configuration, CatchUpOptions.SectionName).ValidateOnStart();
builder.Services.AddSingleton<BlockCatchUpService>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<BlockCatchUpService>());
builder.Services.AddRelayguardBus(
    builder.Configuration,
    bus => bus.AddGatewayInstanceConsumers(GatewayInstance.QueueName(instanceId), queueExpiry),
    busDecidesReadiness: false);

// Two gateways on one data folder would publish one outbox twice and share one block queue.
DataDirectoryLock? dataLock;
int? holder;
try
{
    dataLock = DataDirectoryLock.TryAcquire(builder.Configuration["Data:Directory"]!, out holder);
}
catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"relayguard-gateway: Data:Directory '{builder.Configuration["Data:Directory"]}' could not be locked: {exception.Message} Check that this user may write the folder.");
    return 2;
}

using var heldLock = dataLock;
if (dataLock is null)
{
    await Console.Error.WriteLineAsync($"relayguard-gateway: Data:Directory '{builder.Configuration["Data:Directory"]}' is in use by another gateway{(holder is { } pid ? $" (pid {pid})" : string.Empty)}. Stop it, or give this one a folder of its own.");
    return 4;
}

return await ServiceHost.RunAsync(builder, "relayguard-gateway", app =>
{
    app.MapHelpPages();
    app.Logger.LogInformation("Gateway instance {InstanceId} receives block events on queue {Queue}.", instanceId, GatewayInstance.QueueName(instanceId));
});
