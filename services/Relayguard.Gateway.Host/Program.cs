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

return await ServiceHost.RunAsync(builder, "relayguard-gateway", app =>
{
    app.MapHelpPages();
    app.Logger.LogInformation("Gateway instance {InstanceId} receives block events on queue {Queue}.", instanceId, GatewayInstance.QueueName(instanceId));
});
