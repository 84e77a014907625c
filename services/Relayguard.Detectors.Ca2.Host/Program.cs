using Microsoft.Extensions.Options;
using Relayguard.Detectors.Ca2;
using Relayguard.ServiceDefaults;

// The CA2 detector as a process of its own: consumes events from RabbitMQ, keeps its state in the store that
// Store:Kind names, and publishes blocks. Replicas compete for the same queues and decide as one.
var builder = ServiceHost.CreateBuilder(args, "relayguard-ca2");

builder.AddStateStore<ICa2Store>((services, database) => new MongoCa2Store(database, services.GetRequiredService<IOptions<Ca2Options>>()));
builder.Services.AddCa2Detector(builder.Configuration);
builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddCa2Consumers());

return await ServiceHost.RunAsync(builder, "relayguard-ca2");
