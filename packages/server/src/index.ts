export { createSalon, type Salon, type SalonOptions } from './app.js';
export { loadConfig, type Config, ConfigError } from './config.js';
