"""SceneRec retrieval: catalogue, embeddings, Chroma vector store, ranking."""
