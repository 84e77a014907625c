using Microsoft.Extensions.Options;
using Relayguard.Detectors.Bo1;
using Relayguard.ServiceDefaults;

// The BO1 detector as a process of its own: consumes events from RabbitMQ, keeps its state in the store that
// Store:Kind names, and publishes blocks. Replicas compete for the same queues and decide as one.
var builder = ServiceHost.CreateBuilder(args, "relayguard-bo1");

builder.AddStateStore<IBo1Store>((services, database) => new MongoBo1Store(database, services.GetRequiredService<IOptions<Bo1Options>>()));
builder.Services.AddBo1Detector(builder.Configuration);
builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddBo1Consumers());

return await ServiceHost.RunAsync(builder, "relayguard-bo1");
