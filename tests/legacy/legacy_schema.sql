-- The earlier VisionStock's tables, as its SQLAlchemy models created them on PostgreSQL (columns
-- from its documentation), and rows of the kinds it stored, the badly stored ones included.
CREATE TABLE model_versions (id SERIAL PRIMARY KEY, version_name VARCHAR UNIQUE, model_type VARCHAR,
  model_path VARCHAR, base_model VARCHAR, training_date TIMESTAMP, epochs INTEGER,
  dataset_path VARCHAR, is_active BOOLEAN, created_at TIMESTAMP DEFAULT now());
CREATE TABLE model_metrics (id SERIAL PRIMARY KEY,
  model_version_id INTEGER REFERENCES model_versions(id), evaluation_date TIMESTAMP, map50 FLOAT,
  map50_95 FLOAT, precision FLOAT, recall FLOAT, f1_score FLOAT, inference_time_ms FLOAT,
  test_dataset_path VARCHAR, num_test_images INTEGER);
CREATE TABLE detections (id SERIAL PRIMARY KEY, image_path VARCHAR, timestamp TIMESTAMP,
  sku VARCHAR, class_name VARCHAR, confidence FLOAT, x_center FLOAT, y_center FLOAT, width FLOAT,
  height FLOAT, shelf_location VARCHAR, meta_data JSON,
  model_version_id INTEGER REFERENCES model_versions(id));
CREATE TABLE planograms (id SERIAL PRIMARY KEY, planogram_name VARCHAR, sku VARCHAR,
  product_name VARCHAR, shelf_location VARCHAR, expected_count INTEGER, x_position FLOAT,
  y_position FLOAT, meta_data JSON, created_at TIMESTAMP DEFAULT now(),
  updated_at TIMESTAMP DEFAULT now());
CREATE TABLE discrepancies (id SERIAL PRIMARY KEY, planogram_id INTEGER REFERENCES planograms(id),
  sku VARCHAR, shelf_location VARCHAR, discrepancy_type VARCHAR, expected_count INTEGER,
  detected_count INTEGER, confidence_score FLOAT, meta_data JSON,
  created_at TIMESTAMP DEFAULT now());

INSERT INTO model_versions(version_name, model_type, model_path, is_active, epochs) VALUES
  ('yolov8n-base', 'baseline', '/models/yolov8n.pt', false, NULL),
  ('yolov8n-ft', 'finetuned', '/models/ft.pt', true, 50);
INSERT INTO model_metrics(model_version_id, evaluation_date, map50, map50_95, precision, recall,
  f1_score, inference_time_ms, num_test_images) VALUES
  (1, '2024-03-01 10:00', 0.61, 0.42, 0.70, 0.60, 0.646, 45.0, 200),
  (2, '2024-03-02 10:00', 0.72, 0.51, 0.78, 0.69, 0.732, 47.0, 200);
-- a.jpg: one upload, three rows milliseconds apart. b.jpg: one box in pixels, no shelf.
-- One row without an image. c.jpg: an overhanging box (clipped) and a confidence of 91 (skipped).
INSERT INTO detections(image_path, timestamp, sku, class_name, confidence, x_center, y_center,
  width, height, shelf_location, model_version_id) VALUES
  ('uploads/a.jpg', '2024-03-05 09:00:00.001', 'SKU-BOT', 'bottle', 0.91, 0.2, 0.5, 0.1, 0.3, 'A1', 2),
  ('uploads/a.jpg', '2024-03-05 09:00:00.004', 'SKU-BOT', 'bottle', 0.85, 0.4, 0.5, 0.1, 0.3, 'A1', 2),
  ('uploads/a.jpg', '2024-03-05 09:00:00.003', NULL, 'cup', 0.55, 0.7, 0.5, 0.1, 0.2, 'A1', 2),
  ('uploads/b.jpg', '2024-03-05 10:00:00', NULL, 'bottle', 0.80, 320, 240, 40, 120, NULL, NULL),
  ('uploads/b.jpg', '2024-03-05 10:00:00', NULL, 'bottle', 0.70, 0.5, 0.5, 0.2, 0.2, NULL, NULL),
  (NULL, '2024-03-05 11:00:00', NULL, 'bottle', 0.70, 0.5, 0.5, 0.2, 0.2, 'B1', NULL),
  ('uploads/c.jpg', '2024-03-06 08:00:00', NULL, 'cup', 0.60, 0.995, 0.5, 0.02, 0.2, 'B1', 1),
  ('uploads/c.jpg', '2024-03-06 08:00:00', NULL, 'cup', 91, 0.5, 0.5, 0.1, 0.2, 'B1', 1);
INSERT INTO planograms(planogram_name, sku, product_name, shelf_location, expected_count) VALUES
  ('drinks', 'SKU-BOT', 'Water 1l', 'A1', 4),
  ('drinks', NULL, 'unnamed', 'A1', 2),
  ('drinks', 'SKU-CUP', 'Cup', 'A1', -1),
  ('snacks', 'SKU-CHIPS', 'Chips', NULL, 3);
INSERT INTO discrepancies(planogram_id, sku, shelf_location, discrepancy_type, expected_count,
  detected_count) VALUES
  (1, 'SKU-BOT', 'A1', 'low', 4, 2),
  (3, 'SKU-CUP', 'A1', 'missing', 2, 0);
