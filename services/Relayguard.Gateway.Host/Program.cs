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
    if (string.IsNullOrWhiteSpace(app.Configuration["Smtp:RecipientHashKey"]))
    {
        // Each gateway otherwise makes a key of its own, and CA1 then counts one recipient once per gateway.
        app.Logger.LogWarning(
            "Smtp:RecipientHashKey is not set, so this gateway hashes recipients with the key in {KeyFile}. Give every gateway of a deployment the same key (openssl rand -base64 32).",
            Path.Combine(app.Configuration["Data:Directory"]!, "recipient-hash-key"));
    }

    var upstream = app.Configuration["Relay:Upstream"];
    app.Logger.LogInformation(
        "Accepted mail goes to {Destination}.",
        string.IsNullOrWhiteSpace(upstream) ? $"the pickup folder {Path.Combine(app.Configuration["Data:Directory"]!, "pickup")} (no Relay:Upstream)" : $"the upstream MTA at {upstream}");
});
